/**
 * A test runner small enough to run inside the extension host with no dependency: tests run one
 * after another (they share one editor), each with a time limit, and the outcome is logged as lines
 * the runners read from the extension host's console.
 */

type TestBody = () => Promise<void>;

interface TestCase {
  name: string;
  body: TestBody;
}

/** Thrown by `skip()`: the test could not run here, which is reported, not counted as passed. */
class Skipped extends Error {}

export interface Outcome {
  passed: number;
  failed: number;
  skipped: number;
}

/** The code-server runner finds the extension host's outcome by this prefix on its console, JSON after it. */
export const OUTCOME_PREFIX = 'lockguard-e2e-outcome ';

const TEST_TIMEOUT_MS = 60_000;
const cases: TestCase[] = [];

export function test(name: string, body: TestBody): void {
  cases.push({ name, body });
}

export function skip(reason: string): never {
  throw new Skipped(reason);
}

export async function runTests(log: (line: string) => void): Promise<Outcome> {
  const outcome: Outcome = { passed: 0, failed: 0, skipped: 0 };
  for (const { name, body } of cases) {
    const started = Date.now();
    try {
      await withTimeout(body(), TEST_TIMEOUT_MS, name);
      outcome.passed++;
      log(`✓ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      if (error instanceof Skipped) {
        outcome.skipped++;
        log(`- ${name} (skipped: ${error.message})`);
      } else {
        outcome.failed++;
        log(`✗ ${name} (${Date.now() - started} ms)\n${indent(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
      }
    }
  }
  return outcome;
}

function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`"${name}" did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function indent(text: string): string {
  return text.replace(/^/gm, '    ');
}
