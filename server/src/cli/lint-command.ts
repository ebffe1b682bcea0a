import { readFileSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ConfigResolver, type EditorOverrides } from '../engine/config/resolver';
import type { Finding } from '../engine/findings';
import { Linter } from '../engine/lint';
import { SUPPORTED_PG_VERSIONS, TRANSACTION_MODES, type TransactionMode } from '../engine/options';
import { ALL_RULES } from '../engine/rules/registry';
import { filesChangedSince } from './changed-files';
import { findingsExitCode, parseFailOn } from './exit-policy';
import { collectSqlFiles, describeFsError, type CollectedFiles } from './files';
import { FORMAT_NAMES, formatReports, isFormatName, type FormatName } from './formats';
import { fileReport, type FileReport } from './report';
import { UsageError } from './usage';

export async function runLint(args: string[]): Promise<number> {
  if (!isMainThread && isWorkerSetup(workerData)) return serveFiles(workerData);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'text' },
      'pg-version': { type: 'string' },
      'transaction-mode': { type: 'string' },
      'fail-on': { type: 'string' },
      'max-severity': { type: 'string' },
      'exit-zero': { type: 'boolean', default: false },
      'changed-since': { type: 'string' },
    },
  });
  const format = parseFormat(values.format);
  const failOn = parseFailOn({ failOn: values['fail-on'], maxSeverity: values['max-severity'], exitZero: values['exit-zero'] });
  // Command-line flags override lockguard.json, as editor settings do in the language server.
  const overrides: EditorOverrides = {};
  if (values['pg-version'] !== undefined) overrides.pgVersion = parsePgVersion(values['pg-version']);
  if (values['transaction-mode'] !== undefined) overrides.transactionMode = parseTransactionMode(values['transaction-mode']);
  if (positionals.length === 0) throw new UsageError('`lockguard lint` needs at least one file or directory (or a glob) to lint.');
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id), overrides);
  const { files, problems } = selectFiles(positionals, values['changed-since'], resolver);

  const outcomes = files.length >= PARALLEL_FROM_FILES && availableParallelism() > 1 ? await lintInWorkers(files, overrides) : await lintHere(files, resolver);
  const reports: FileReport[] = [];
  const configProblems = new Set<string>();
  for (const outcome of outcomes) {
    if (outcome.kind === 'unreadable') {
      problems.push(outcome.problem);
      continue;
    }
    for (const problem of outcome.configProblems) configProblems.add(problem);
    reports.push(fileReport(outcome.file, outcome.source, outcome.findings));
  }

  process.stdout.write(formatReports(format, reports));
  for (const problem of configProblems) process.stderr.write(`lockguard: ${problem} (the file's settings were ignored; fix it so they apply)\n`);
  for (const problem of problems) process.stderr.write(`lockguard: ${problem}\n`);
  return problems.length > 0 || configProblems.size > 0 ? 2 : findingsExitCode(reports, failOn);
}

/** What linting one file gave, in a form a worker thread can send back. */
type FileOutcome =
  | { kind: 'linted'; file: string; source: string; findings: Finding[]; configProblems: string[] }
  | { kind: 'unreadable'; problem: string };

function lintFile(linter: Linter, resolver: ConfigResolver, file: string): FileOutcome {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    return { kind: 'unreadable', problem: `cannot read ${file}: ${describeFsError(error)}` };
  }
  const settings = resolver.forFile(resolve(file));
  return { kind: 'linted', file, source, findings: linter.lint(source, settings.options).findings, configProblems: settings.problems };
}

async function lintHere(files: readonly string[], resolver: ConfigResolver): Promise<FileOutcome[]> {
  const linter = await Linter.create();
  return files.map((file) => lintFile(linter, resolver, file));
}

/**
 * Below this many files, starting worker threads (each loads the bundle and the parser) costs more
 * than it saves.
 */
const PARALLEL_FROM_FILES = 64;
const MAX_WORKERS = 4;

/** Marks a worker thread of `lockguard lint`: it runs this bundle, whose `lint` command then serves files. */
interface WorkerSetup {
  lockguardLintWorker: true;
  overrides: EditorOverrides;
}

const isWorkerSetup = (data: unknown): data is WorkerSetup => typeof data === 'object' && data !== null && 'lockguardLintWorker' in data;

/** Lints the files in worker threads, one file at a time to whichever is free; outcomes in the files' order. */
function lintInWorkers(files: readonly string[], overrides: EditorOverrides): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = new Array(files.length);
  const setup: WorkerSetup = { lockguardLintWorker: true, overrides };
  const workers = Array.from({ length: Math.min(availableParallelism(), MAX_WORKERS) }, () => new Worker(__filename, { argv: ['lint'], workerData: setup }));
  let next = 0;
  let done = 0;
  return new Promise<FileOutcome[]>((resolvePromise, reject) => {
    const stop = () => {
      for (const worker of workers) void worker.terminate();
    };
    const feed = (worker: Worker) => {
      if (next < files.length) worker.postMessage({ index: next, file: files[next++] });
    };
    for (const worker of workers) {
      worker.on('message', ({ index, outcome }: { index: number; outcome: FileOutcome }) => {
        outcomes[index] = outcome;
        if (++done === files.length) {
          stop();
          resolvePromise(outcomes);
        } else feed(worker);
      });
      worker.on('error', (error) => {
        stop();
        reject(error);
      });
      feed(worker);
    }
  });
}

/** The worker side of `lintInWorkers`: lints each file it is sent until the main thread ends it. */
async function serveFiles(setup: WorkerSetup): Promise<number> {
  const linter = await Linter.create();
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id), setup.overrides);
  parentPort!.on('message', ({ index, file }: { index: number; file: string }) => {
    parentPort!.postMessage({ index, outcome: lintFile(linter, resolver, file) });
  });
  return -1;
}

/** The files to lint, and the paths that could not be read. */
function selectFiles(paths: readonly string[], changedSince: string | undefined, resolver: ConfigResolver): CollectedFiles {
  const collected = collectSqlFiles(paths, { isExcluded: (path) => resolver.isExcluded(path) });
  const { files, problems, excluded } = collected;
  if (changedSince === undefined) {
    if (files.length === 0 && problems.length === 0) {
      // Not an error when lockguard.json excludes everything named (a pre-commit hook passing an excluded file).
      if (excluded > 0) process.stderr.write(`lockguard: every path in ${paths.join(', ')} is excluded by lockguard.json: nothing to lint.\n`);
      else throw new UsageError(`no .sql files found in ${paths.join(', ')}.`);
    }
    return collected;
  }
  const changed = filesChangedSince(changedSince);
  const selected = files.filter((file) => changed.has(realpathSync(file)));
  // Not an error: a pull request that changes no migration has nothing to lint.
  if (selected.length === 0 && problems.length === 0) {
    process.stderr.write(`lockguard: no .sql file in ${paths.join(', ')} was added or changed since ${changedSince}: nothing to lint.\n`);
  }
  return { ...collected, files: selected };
}

function parseFormat(value: string | undefined): FormatName {
  if (!isFormatName(value)) throw new UsageError(`unknown --format "${value}": use one of ${FORMAT_NAMES.join(', ')}.`);
  return value;
}

function parseTransactionMode(value: string): TransactionMode {
  const mode = TRANSACTION_MODES.find((candidate) => candidate === value);
  if (!mode) throw new UsageError(`unknown --transaction-mode "${value}": use ${TRANSACTION_MODES.join(', ')}.`);
  return mode;
}

function parsePgVersion(value: string | undefined): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < SUPPORTED_PG_VERSIONS.min || version > SUPPORTED_PG_VERSIONS.max) {
    throw new UsageError(`--pg-version must be a PostgreSQL major version from ${SUPPORTED_PG_VERSIONS.min} to ${SUPPORTED_PG_VERSIONS.max}, not "${value}".`);
  }
  return version;
}
