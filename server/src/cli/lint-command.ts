import { realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { isMainThread, workerData } from 'node:worker_threads';
import { ALL_RULES, ConfigResolver, RULE_SETTINGS, SUPPORTED_PG_VERSIONS, TRANSACTION_MODES, type EditorOverrides, type Finding, type RuleSetting, type TransactionMode } from '../engine';
import type { OptionValues } from './arguments';
import { CACHE_DIRECTORY, LintCache, PriorSchemaReads, type PriorSchemaInputs } from './cache';
import { filesChangedSince } from './changed-files';
import type { LINT_COMMAND } from './commands';
import { DiskReads } from './disk-reads';
import { findingsExitCode, parseFailOn } from './exit-policy';
import { collectSqlFiles, type CollectedFiles } from './files';
import { FORMAT_NAMES, formatReports, isFormatName, type FormatName } from './formats';
import { isGlob } from './glob';
import { unifiedDiff } from './file-diff';
import { planFixes, writeFixes, type FileFixes } from './fix-files';
import { isWorkerSetup, lintInWorkers, PARALLEL_FROM_FILES, serveSets, type LintJob } from './lint-workers';
import { lintText, startLinting, type LintedText, type Linting } from './linting';
import { fileReport, type FileReport } from './report';
import { readSqlFile } from './sql-file';
import { UsageError } from './usage';

export async function runLint(values: OptionValues<typeof LINT_COMMAND.options>, positionals: readonly string[]): Promise<number> {
  if (!isMainThread && isWorkerSetup(workerData)) return serveSets(workerData);
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
  // Fixes are verified only where they are shown: every format but gitlab's prints them (or says why there is none).
  const verifyFixes = fixing !== undefined || format !== 'gitlab';
  // Directories and globs, as ESLint and ruff cache a project's run; not files named one by one (a pre-commit hook), nor --fix, which rewrites them.
  const cached = !values['no-cache'] && fixing === undefined && positionals.some(isDirectoryOrGlob);
  const outcomes = fixing ? await lintFixing(files, resolver, fixing) : await lintFiles(files, resolver, { overrides, verifyFixes, cached });
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

/** What linting one file gave. */
type FileOutcome =
  | { kind: 'linted'; file: string; source: string; findings: Finding[]; configProblems: string[] }
  | { kind: 'unreadable'; problem: string };

function lintFile(linting: Linting, resolver: ConfigResolver, file: string): FileOutcome {
  const read = readSqlFile(file);
  if (!read.ok) return { kind: 'unreadable', problem: read.problem };
  const { findingsJson, configProblems } = lintText(linting, resolver, file, read.text, true);
  return { kind: 'linted', file, source: read.text, findings: JSON.parse(findingsJson) as Finding[], configProblems };
}

interface LintRun {
  overrides: EditorOverrides;
  verifyFixes: boolean;
  /** Whether findings are read from and kept in the cache (./cache.ts). */
  cached: boolean;
}

/**
 * Lints the files, in worker threads when there are many: each file read once here, its findings
 * taken from the cache where they are still valid, the others linted and kept there.
 */
async function lintFiles(files: readonly string[], resolver: ConfigResolver, { overrides, verifyFixes, cached }: LintRun): Promise<FileOutcome[]> {
  const disk = new DiskReads();
  const cache = cached ? new LintCache(resolve(CACHE_DIRECTORY), disk) : undefined;
  const outcomes: FileOutcome[] = new Array(files.length);
  const jobs: (LintJob & { prior: PriorSchemaInputs | undefined; key: string | undefined })[] = [];
  const parallel = files.length >= PARALLEL_FROM_FILES && availableParallelism() > 1;
  const priorSchemaReads = new PriorSchemaReads(disk);
  for (const [index, file] of files.entries()) {
    const read = readSqlFile(file);
    if (!read.ok) {
      outcomes[index] = { kind: 'unreadable', problem: read.problem };
      continue;
    }
    const path = resolve(file);
    const settings = resolver.forFile(path);
    const prior = cache || parallel ? priorSchemaReads.inputsOf(path) : undefined;
    const key = cache && prior ? cache.keyOf(path, read.text, settings.options, prior) : undefined;
    const findings = key === undefined ? undefined : cache?.lookup(path, key, verifyFixes);
    if (findings) outcomes[index] = { kind: 'linted', file, source: read.text, findings, configProblems: settings.problems };
    else jobs.push({ index, file, text: read.text, prior, key });
  }
  const jobsByIndex = new Map(jobs.map((job) => [job.index, job]));
  const linted = (index: number, { findingsJson, configProblems, reads }: LintedText) => {
    const job = jobsByIndex.get(index)!;
    outcomes[index] = { kind: 'linted', file: job.file, source: job.text, findings: JSON.parse(findingsJson) as Finding[], configProblems };
    if (cache && job.key !== undefined) cache.store(resolve(job.file), job.key, reads, findingsJson, verifyFixes);
  };
  if (parallel && jobs.length >= PARALLEL_FROM_FILES) {
    await lintInWorkers(migrationSets(jobs), { overrides, verifyFixes }, linted);
  } else if (jobs.length > 0) {
    const linting = await startLinting();
    for (const job of jobs) linted(job.index, lintText(linting, resolver, job.file, job.text, verifyFixes));
  }
  if (cache && process.env.LOCKGUARD_DEBUG?.split(',').includes('cache')) {
    process.stderr.write(`lockguard: cache: ${cache.hits} of ${cache.hits + cache.misses} files from ${CACHE_DIRECTORY}, ${cache.misses} linted\n`);
  }
  return outcomes;
}

/** The jobs grouped by the migration set they belong to, in the run's order within each. */
function migrationSets(jobs: readonly (LintJob & { prior: PriorSchemaInputs | undefined })[]): LintJob[][] {
  const sets = new Map<string, LintJob[]>();
  for (const { index, file, text, prior } of jobs) {
    const set = prior?.set ?? file;
    if (!sets.has(set)) sets.set(set, []);
    sets.get(set)!.push({ index, file, text });
  }
  return [...sets.values()];
}

/** A directory or a glob names files that were not listed one by one. */
function isDirectoryOrGlob(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return isGlob(path);
  }
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
      linting.disk.forget();
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
