import { availableParallelism } from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';
import { ALL_RULES, ConfigResolver, type EditorOverrides } from '../engine';
import { lintText, startLinting, type LintedText } from './linting';

/** A file to lint: its place in the run's order, its path and its text. */
export interface LintJob {
  index: number;
  file: string;
  text: string;
}

/** Marks a worker thread of `lockguard lint`: it runs this bundle, whose `lint` command then serves files. */
export interface WorkerSetup {
  lockguardLintWorker: true;
  overrides: EditorOverrides;
  verifyFixes: boolean;
}

export const isWorkerSetup = (data: unknown): data is WorkerSetup => typeof data === 'object' && data !== null && 'lockguardLintWorker' in data;

/** Below this many files, starting worker threads (each loads the bundle and the parser) costs more than it saves. */
export const PARALLEL_FROM_FILES = 64;

/**
 * One worker per core (the main thread only reads files, waits and keeps what the workers send), up
 * to a few: each holds its own parser and schemas, a few hundred MB on the largest files.
 */
const workerCount = () => Math.min(availableParallelism(), MAX_WORKERS);
const MAX_WORKERS = 8;

/**
 * Lints the jobs in worker threads, a migration set at a time to whichever worker is free, the
 * largest sets first: a set's files go to one worker, so its earlier migrations are replayed
 * once (see ../engine/model/schema/prior-schemas.ts), and the big ones do not finish last.
 * `onLinted` gets each file's result as it arrives.
 */
export function lintInWorkers(sets: readonly (readonly LintJob[])[], setup: Omit<WorkerSetup, 'lockguardLintWorker'>, onLinted: (index: number, linted: LintedText) => void): Promise<void> {
  const queue = [...sets].sort((a, b) => weight(b) - weight(a));
  const remaining = sets.reduce((count, set) => count + set.length, 0);
  const workerData: WorkerSetup = { lockguardLintWorker: true, ...setup };
  const workers = Array.from({ length: Math.min(workerCount(), queue.length) }, () => new Worker(__filename, { argv: ['lint'], workerData }));
  let done = 0;
  return new Promise<void>((resolvePromise, reject) => {
    const stop = () => {
      for (const worker of workers) void worker.terminate();
    };
    for (const worker of workers) {
      // Files of the set last sent that are not back yet: the worker gets the next set when none is left.
      let outstanding = 0;
      const feed = () => {
        const set = queue.shift();
        if (!set) return;
        outstanding = set.length;
        worker.postMessage(set);
      };
      worker.on('message', ({ index, linted }: { index: number; linted: LintedText }) => {
        onLinted(index, linted);
        if (++done === remaining) {
          stop();
          resolvePromise();
        } else if (--outstanding === 0) feed();
      });
      worker.on('error', (error) => {
        stop();
        reject(error);
      });
      worker.on('exit', (code) => {
        if (done < remaining) reject(new Error(`a lint worker thread stopped (exit code ${code}) before every file was linted`));
      });
      feed();
    }
  });
}

/** A set's share of the work: its text's length. */
const weight = (set: readonly LintJob[]) => set.reduce((sum, job) => sum + job.text.length, 0);

/** The worker side of `lintInWorkers`: lints each set it is sent, file by file, until the main thread ends it. */
export async function serveSets(setup: WorkerSetup): Promise<number> {
  const linting = await startLinting();
  const resolver = new ConfigResolver(
    ALL_RULES.map((rule) => rule.id),
    setup.overrides,
  );
  parentPort!.on('message', (set: LintJob[]) => {
    for (const { index, file, text } of set) parentPort!.postMessage({ index, linted: lintText(linting, resolver, file, text, setup.verifyFixes) });
  });
  return -1;
}
