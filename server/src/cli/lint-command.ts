import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ALL_RULES, ConfigResolver, diskFiles, FixVerifier, Linter, PostgresParser, PriorSchemas, RULE_SETTINGS, SUPPORTED_PG_VERSIONS, TRANSACTION_MODES, type EditorOverrides, type Finding, type RuleSetting, type TransactionMode } from '../engine';
import type { OptionValues } from './arguments';
import { filesChangedSince } from './changed-files';
import type { LINT_COMMAND } from './commands';
import { findingsExitCode, parseFailOn } from './exit-policy';
import { collectSqlFiles, type CollectedFiles } from './files';
import { FORMAT_NAMES, formatReports, isFormatName, type FormatName } from './formats';
import { unifiedDiff } from './file-diff';
import { planFixes, writeFixes, type FileFixes } from './fix-files';
import { fileReport, type FileReport } from './report';
import { readSqlFile } from './sql-file';
import { UsageError } from './usage';

export async function runLint(values: OptionValues<typeof LINT_COMMAND.options>, positionals: readonly string[]): Promise<number> {
  if (!isMainThread && isWorkerSetup(workerData)) return serveFiles(workerData);
  if (values.fix && values['fix-dry-run']) throw new UsageError('use either --fix (write the fixes) or --fix-dry-run (print them as diffs), not both.');
  const format = parseFormat(values.format);
  const failOn = parseFailOn({ failOn: values['fail-on'], maxSeverity: values['max-severity'], exitZero: values['exit-zero'] ?? false });
  // Command-line flags override lockguard.json, as editor settings do in the language server.
  const overrides: EditorOverrides = {};
  if (values['pg-version'] !== undefined) overrides.pgVersion = parsePgVersion(values['pg-version']);
  if (values['transaction-mode'] !== undefined) overrides.transactionMode = parseTransactionMode(values['transaction-mode']);
  if (values.rule !== undefined) overrides.rules = parseRuleSettings(values.rule);
  if (positionals.length === 0) throw new UsageError('`lockguard lint` needs at least one file or directory (or a glob) to lint.');
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id), overrides);
  const { files, problems } = selectFiles(positionals, values['changed-since'], resolver);

  const fixing = values.fix ? 'write' : values['fix-dry-run'] ? 'print' : undefined;
  const outcomes = fixing
    ? await lintFixing(files, resolver, fixing)
    : files.length >= PARALLEL_FROM_FILES && availableParallelism() > 1
      ? await lintInWorkers(files, overrides)
      : await lintHere(files, resolver);
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

  // A path that cannot be linted is reported on stderr alone: no "No problems found in 0 files" beside it.
  if (reports.length > 0 || problems.length === 0) process.stdout.write(formatReports(format, reports));
  for (const problem of configProblems) process.stderr.write(`lockguard: ${problem} (the file's settings were ignored; fix it so they apply)\n`);
  for (const problem of problems) process.stderr.write(`lockguard: ${problem}\n`);
  return problems.length > 0 || configProblems.size > 0 ? 2 : findingsExitCode(reports, failOn);
}

/** What linting one file gave, in a form a worker thread can send back. */
type FileOutcome =
  | { kind: 'linted'; file: string; source: string; findings: Finding[]; configProblems: string[] }
  | { kind: 'unreadable'; problem: string };

/** The linter, and the schema each migration set builds up: replayed once per folder, reused across its files. */
interface Linting {
  linter: Linter;
  priorSchemas: PriorSchemas;
}

async function startLinting(): Promise<Linting> {
  return { linter: await Linter.create(), priorSchemas: new PriorSchemas(await PostgresParser.load(), diskFiles) };
}

function lintFile({ linter, priorSchemas }: Linting, resolver: ConfigResolver, file: string): FileOutcome {
  const read = readSqlFile(file);
  if (!read.ok) return { kind: 'unreadable', problem: read.problem };
  const source = read.text;
  const settings = resolver.forFile(resolve(file));
  const options = { ...settings.options, priorSchema: priorSchemas.before(resolve(file)) };
  // Only fixes that, applied, remove their finding and add no error are printed (see ../engine/fixes/verify.ts).
  const findings = new FixVerifier(linter, source, options, linter.lintIncrementally(source, options, undefined), true).findings();
  return { kind: 'linted', file, source, findings, configProblems: settings.problems };
}

/**
 * `--fix`: lints each file, writes each finding's preferred (verified) fix, and lints again, until
 * nothing more applies (fixes that overlapped an applied one get their turn); says on stderr what
 * changed, and returns what is left. `--fix-dry-run`: prints the first pass's changes as diffs instead.
 */
async function lintFixing(files: readonly string[], resolver: ConfigResolver, fixing: 'write' | 'print'): Promise<FileOutcome[]> {
  const linting = await startLinting();
  return files.map((file) => {
    let outcome = lintFile(linting, resolver, file);
    for (let pass = 0; pass < MAX_FIX_PASSES && outcome.kind === 'linted'; pass++) {
      const fixes = planFixes(outcome.file, outcome.source, outcome.findings);
      if (!fixes) break;
      if (fixing === 'print') {
        process.stdout.write(describeFixes(fixes, true));
        break;
      }
      writeFixes(fixes);
      process.stderr.write(describeFixes(fixes, false));
      linting.priorSchemas.forget();
      outcome = lintFile(linting, resolver, file);
    }
    return outcome;
  });
}

/** Passes of `--fix` over one file: each applies what did not overlap the fixes before it. */
const MAX_FIX_PASSES = 3;

function describeFixes(fixes: FileFixes, asDiff: boolean): string {
  // Paths as git shows them: relative to where lockguard runs.
  const shown = (path: string) => relative(process.cwd(), path) || path;
  if (asDiff) return [unifiedDiff(shown(fixes.file), fixes.before, fixes.after), ...fixes.created.map((created) => unifiedDiff(shown(created.path), undefined, created.text))].join('');
  return [
    ...fixes.applied.map(({ ruleId, title }) => `lockguard: fixed ${fixes.file}: ${ruleId}: ${title}\n`),
    ...fixes.created.map((created) => `lockguard: created ${created.path}\n`),
  ].join('');
}

async function lintHere(files: readonly string[], resolver: ConfigResolver): Promise<FileOutcome[]> {
  const linting = await startLinting();
  return files.map((file) => lintFile(linting, resolver, file));
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
  const linting = await startLinting();
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id), setup.overrides);
  parentPort!.on('message', ({ index, file }: { index: number; file: string }) => {
    parentPort!.postMessage({ index, outcome: lintFile(linting, resolver, file) });
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

/** `--rule id=severity` (repeatable), e.g. `--rule missing-statement-timeout=warning` to turn on a rule that is off by default. */
function parseRuleSettings(values: readonly string[]): Record<string, RuleSetting> {
  const settings: Record<string, RuleSetting> = {};
  for (const value of values) {
    const [id = '', setting] = value.split('=', 2);
    if (!ALL_RULES.some((rule) => rule.id === id)) throw new UsageError(`unknown rule "${id}" in --rule ${value}: the rule ids are listed in docs/rules.`);
    const known = RULE_SETTINGS.find((candidate) => candidate === setting);
    if (!known) throw new UsageError(`--rule ${value}: write --rule ${id}=error|warning|info|off.`);
    settings[id] = known;
  }
  return settings;
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
