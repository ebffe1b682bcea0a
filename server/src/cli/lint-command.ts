import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Linter } from '../engine/lint';
import { DEFAULT_PG_VERSION, SUPPORTED_PG_VERSIONS } from '../engine/options';
import { collectSqlFiles, describeFsError } from './files';
import { formatJson } from './format-json';
import { COLORS, NO_COLORS, formatText } from './format-text';
import { fileReport, type FileReport } from './report';
import { UsageError } from './usage';

const FORMATS = ['text', 'json'] as const;
type Format = (typeof FORMATS)[number];

export async function runLint(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string', default: 'text' },
      'pg-version': { type: 'string', default: String(DEFAULT_PG_VERSION) },
      'exit-zero': { type: 'boolean', default: false },
    },
  });
  const format = parseFormat(values.format);
  const pgVersion = parsePgVersion(values['pg-version']);
  if (positionals.length === 0) throw new UsageError('`lockguard lint` needs at least one file or directory to lint.');

  const { files, problems } = collectSqlFiles(positionals);
  if (files.length === 0 && problems.length === 0) throw new UsageError(`no .sql files found in ${positionals.join(', ')}.`);

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

  const colored = format === 'text' && process.stdout.isTTY === true && !process.env.NO_COLOR;
  process.stdout.write(format === 'json' ? formatJson(reports) : formatText(reports, colored ? COLORS : NO_COLORS));
  for (const problem of problems) process.stderr.write(`lockguard: ${problem}\n`);

  if (problems.length > 0) return 2;
  if (values['exit-zero']) return 0;
  return reports.some((report) => report.findings.some((finding) => finding.severity === 'error')) ? 1 : 0;
}

function parseFormat(value: string | undefined): Format {
  const format = FORMATS.find((candidate) => candidate === value);
  if (!format) throw new UsageError(`unknown --format "${value}": use one of ${FORMATS.join(', ')}.`);
  return format;
}

function parsePgVersion(value: string | undefined): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < SUPPORTED_PG_VERSIONS.min || version > SUPPORTED_PG_VERSIONS.max) {
    throw new UsageError(`--pg-version must be a PostgreSQL major version from ${SUPPORTED_PG_VERSIONS.min} to ${SUPPORTED_PG_VERSIONS.max}, not "${value}".`);
  }
  return version;
}
