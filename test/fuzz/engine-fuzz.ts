import { Linter, type RuleFailure } from '../../server/src/engine/lint';
import type { FuzzInput } from './inputs';

/** What went wrong on one input: a throw, a rule's internal error, or too slow. */
export interface FuzzProblem {
  input: string;
  problem: string;
}

export interface EngineFuzzResult {
  inputs: number;
  megabytes: number;
  slowestMs: number;
  slowest: string;
  problems: FuzzProblem[];
}

/**
 * Lints every input with the real engine; any throw, internal error or analysis over `budgetMs` is a
 * problem. Time is this process's CPU time, so that a busy machine does not fail the run.
 */
export async function fuzzEngine(inputs: Iterable<FuzzInput>, budgetMs: number): Promise<EngineFuzzResult> {
  // The engine reports each kind of rule failure once: enough to name the input that found it.
  const ruleFailures: RuleFailure[] = [];
  const linter = await Linter.create(undefined, { onRuleFailure: (failure) => ruleFailures.push(failure) });
  const result: EngineFuzzResult = { inputs: 0, megabytes: 0, slowestMs: 0, slowest: '', problems: [] };
  for (const input of inputs) {
    result.inputs++;
    result.megabytes += input.text.length / 1024 / 1024;
    const started = process.cpuUsage();
    try {
      const known = ruleFailures.length;
      linter.lint(input.text);
      for (const failure of ruleFailures.slice(known)) {
        result.problems.push({ input: input.name, problem: `rule ${failure.ruleId} threw on ${JSON.stringify(failure.statementText.slice(0, 200))}: ${String(failure.error)}` });
      }
    } catch (error) {
      result.problems.push({ input: input.name, problem: `threw ${error instanceof Error ? error.stack : String(error)}` });
    }
    const used = process.cpuUsage(started);
    const ms = (used.user + used.system) / 1000;
    if (ms > result.slowestMs) Object.assign(result, { slowestMs: ms, slowest: input.name });
    if (ms > budgetMs) result.problems.push({ input: input.name, problem: `took ${ms.toFixed(0)} ms (budget ${budgetMs} ms)` });
  }
  return result;
}
