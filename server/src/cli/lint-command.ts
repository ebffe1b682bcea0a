import { readFileSync, realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Linter } from '../engine/lint';
import { DEFAULT_PG_VERSION, SUPPORTED_PG_VERSIONS } from '../engine/options';
import { filesChangedSince } from './changed-files';
import { findingsExitCode, parseFailOn } from './exit-policy';
import { collectSqlFiles, describeFsError, type CollectedFiles } from './files';
import { FORMAT_NAMES, formatReports, isFormatName, type FormatName } from './formats';
import { fileReport, type FileReport } from './report';
import { UsageError } from './usage';

export async function runLint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'text' },
      'pg-version': { type: 'string', default: String(DEFAULT_PG_VERSION) },
      'fail-on': { type: 'string' },
      'exit-zero': { type: 'boolean', default: false },
      'changed-since': { type: 'string' },
    },
  });
  const format = parseFormat(values.format);
  const pgVersion = parsePgVersion(values['pg-version']);
  const failOn = parseFailOn(values['fail-on'], values['exit-zero']);
  if (positionals.length === 0) throw new UsageError('`lockguard lint` needs at least one file or directory (or a glob) to lint.');
  const { files, problems } = selectFiles(positionals, values['changed-since']);

  const linter = await Linter.create();
  const reports: FileReport[] = [];
  for (const file of files) {
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(`cannot read ${file}: ${describeFsError(error)}`);
      continue;
    }
    reports.push(fileReport(file, source, linter.lint(source, { pgVersion }).findings));
  }

  process.stdout.write(formatReports(format, reports));
  for (const problem of problems) process.stderr.write(`lockguard: ${problem}\n`);
  return problems.length > 0 ? 2 : findingsExitCode(reports, failOn);
}

/** The files to lint, and the paths that could not be read. */
function selectFiles(paths: readonly string[], changedSince: string | undefined): CollectedFiles {
  const { files, problems } = collectSqlFiles(paths);
  if (changedSince === undefined) {
    if (files.length === 0 && problems.length === 0) throw new UsageError(`no .sql files found in ${paths.join(', ')}.`);
    return { files, problems };
  }
  const changed = filesChangedSince(changedSince);
  const selected = files.filter((file) => changed.has(realpathSync(file)));
  // Not an error: a pull request that changes no migration has nothing to lint.
  if (selected.length === 0 && problems.length === 0) {
    process.stderr.write(`lockguard: no .sql file in ${paths.join(', ')} was added or changed since ${changedSince}: nothing to lint.\n`);
  }
  return { files: selected, problems };
}

function parseFormat(value: string | undefined): FormatName {
  if (!isFormatName(value)) throw new UsageError(`unknown --format "${value}": use one of ${FORMAT_NAMES.join(', ')}.`);
  return value;
}

function parsePgVersion(value: string | undefined): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < SUPPORTED_PG_VERSIONS.min || version > SUPPORTED_PG_VERSIONS.max) {
    throw new UsageError(`--pg-version must be a PostgreSQL major version from ${SUPPORTED_PG_VERSIONS.min} to ${SUPPORTED_PG_VERSIONS.max}, not "${value}".`);
  }
  return version;
}
