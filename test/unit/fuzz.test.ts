/**
 * Fuzzing the engine and the language server with mutated corpus statements and extreme inputs
 * (see test/fuzz). Deterministic: the seed fixes every input. `npm test` runs the short size;
 * `npm run fuzz` (LOCKGUARD_FUZZ=long) the long one, with the 50 MB file.
 */
import { describe, expect, it } from 'vitest';
import { fuzzEngine, type EngineFuzzResult } from '../fuzz/engine-fuzz';
import { extremeInputs, fiftyMegabyteFile, manyStatementsFromAnUnclosedBody, mutatedMigration, seedStatements, type FuzzInput } from '../fuzz/inputs';
import { Random } from '../helpers/random';
import { fuzzServer } from '../fuzz/server-fuzz';

const LONG = process.env.LOCKGUARD_FUZZ === 'long';
const SIZE = LONG ? { engineMutations: 20_000, serverMutations: 1_000, corpusStride: 1, timeoutMs: 1_800_000 } : { engineMutations: 600, serverMutations: 40, corpusStride: 40, timeoutMs: 60_000 };
const SEED = Number(process.env.LOCKGUARD_FUZZ_SEED ?? 7);
/** No request and no analysis of an input may take longer. */
const BUDGET_MS = 2_000;

const seeds = seedStatements(SIZE.corpusStride);

function* mutations(random: Random, count: number): Generator<FuzzInput> {
  for (let id = 0; id < count; id++) yield mutatedMigration(random, seeds, id);
}

const summary = (what: string, result: EngineFuzzResult, extra = '') =>
  console.log(`fuzz ${what}: seed ${SEED}, ${result.inputs} inputs, ${result.megabytes.toFixed(1)} MB${extra}, slowest ${result.slowestMs.toFixed(0)} ms (${result.slowest}), ${result.problems.length} problems`);

describe(`fuzzing (${LONG ? 'long' : 'short'} run)`, () => {
  it('the engine never throws, never fails internally, and analyses each input within 2 s of CPU', { timeout: SIZE.timeoutMs }, async () => {
    const result = await fuzzEngine([...extremeInputs(), ...(LONG ? [manyStatementsFromAnUnclosedBody()] : []), ...mutations(new Random(SEED), SIZE.engineMutations)], BUDGET_MS);
    summary('engine', result);
    expect(result.problems).toEqual([]);
  });

  it('the engine survives a 50 MB file', { timeout: SIZE.timeoutMs, skip: !LONG }, async () => {
    // Not held to the 2 s budget: the editor does not analyse files this large as you type.
    const result = await fuzzEngine([fiftyMegabyteFile()], 60_000);
    summary('engine, 50 MB file', result);
    expect(result.problems).toEqual([]);
  });

  it('the language server answers every request within 2 s and never crashes', { timeout: SIZE.timeoutMs }, async () => {
    const inputs = [...extremeInputs(), ...(LONG ? [fiftyMegabyteFile(), manyStatementsFromAnUnclosedBody()] : []), ...mutations(new Random(SEED + 1), SIZE.serverMutations)];
    const result = await fuzzServer(inputs, new Random(SEED + 2), BUDGET_MS);
    summary('language server', result, `, ${result.requests} requests`);
    expect(result.problems).toEqual([]);
  });
});
