import { resolve } from 'node:path';
import { checkMigration, type CheckProgress, type CheckReport, type CheckRequest, type ProductionSizes } from '../engine';
import type { OptionValues } from './arguments';
import { CHECK_FORMATS, formatCheck, type CheckFormat } from './check-format';
import type { CHECK_COMMAND } from './commands';
import { paintFor } from './format-text';
import { readSqlFile } from './sql-file';
import { UsageError } from './usage';

/**
 * `lockguard check FILE`: runs the migration in a transaction that is always rolled back, on the
 * staging database of `--url` or else on the embedded PGlite database, and reports its locks, what
 * they block and for how long.
 *
 * Exit codes (`report.blocksTraffic`, engine/staging/spans.ts): 0 the check completed and no lock that
 * makes other sessions' reads or writes of an existing table wait was held while work that grows with
 * the table ran (a catalog-only change in its own transaction holds its lock for milliseconds: still 0);
 * 1 such a lock was held, within one of the migration's transactions, while a rewrite, a full scan, an
 * index build or rows written ran (measured on staging; on PGlite, whose tables are empty, the
 * statement's documented work), or a statement the check does not run takes such a lock by the
 * documentation, or a statement failed (on staging the migration would fail too, or waited past
 * lock_timeout); 2 bad usage, an unreadable file, a connection problem, a refused target, or the
 * check was cancelled (Ctrl-C, SIGTERM, SIGHUP).
 */
export async function runCheck(values: OptionValues<typeof CHECK_COMMAND.options>, positionals: readonly string[]): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('`lockguard check` checks one migration file: lockguard check FILE [--url URL].');
  const format = values.format as CheckFormat;
  if (!CHECK_FORMATS.includes(format)) throw new UsageError(`--format ${values.format} is not one of ${CHECK_FORMATS.join(', ')}.`);
  const file = resolve(positionals[0]!);
  const read = readSqlFile(positionals[0]!);
  if (!read.ok) {
    process.stderr.write(`lockguard: ${read.problem}\n`);
    return 2;
  }
  const text = read.text;
  const request: CheckRequest = {
    file: positionals[0]!,
    text,
    ...(values.url === undefined ? {} : { staging: { url: values.url } }),
    production: productionSource(values),
    lockTimeoutMs: milliseconds('--lock-timeout', values['lock-timeout']),
    statementTimeoutMs: milliseconds('--statement-timeout', values['statement-timeout']),
    connectTimeoutMs: milliseconds('--connect-timeout', values['connect-timeout']),
  };
  if (request.production && !request.staging) throw new UsageError('Production sizes scale staging timings: give --url too (the embedded database measures no time).');

  // Ctrl-C, a CI cancel or `timeout` (SIGTERM), a closed terminal (SIGHUP): cancel the running
  // statement and roll back before exiting. A second signal exits at once; closing the connections
  // then ends the server's sessions, whose transaction PostgreSQL rolls back.
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(2);
    controller.abort();
  };
  for (const signal of CANCEL_SIGNALS) process.on(signal, onSignal);
  try {
    const result = await checkMigration({ ...request, file }, { signal: controller.signal, onProgress: progressPrinter() });
    if (result.kind === 'problem') {
      process.stderr.write(`lockguard: ${result.problem.message}\n`);
      return 2;
    }
    const report: CheckReport = { ...result.report, file: request.file };
    // A closed terminal (SIGHUP) has no reader left: the exit code still tells.
    process.stdout.on('error', () => {});
    process.stdout.write(formatCheck(format, report, paintFor(process.stdout.isTTY === true, process.env)));
    if (report.outcome.kind === 'cancelled') return 2;
    return report.blocksTraffic || report.outcome.kind === 'failed' ? 1 : 0;
  } finally {
    for (const signal of CANCEL_SIGNALS) process.off(signal, onSignal);
  }
}

const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function productionSource(values: { 'production-url'?: string; stats?: string; rows?: string[] }): ProductionSizes | undefined {
  const given = [values['production-url'], values.stats, values.rows].filter((value) => value !== undefined);
  if (given.length > 1) throw new UsageError('Give production sizes one way: --production-url, --stats or --rows.');
  if (values['production-url'] !== undefined) return { kind: 'connection', url: values['production-url'] };
  if (values.stats !== undefined) return { kind: 'stats-file', path: values.stats };
  if (values.rows !== undefined) {
    const rows: Record<string, number> = {};
    for (const item of values.rows) {
      const match = /^([^=]+)=(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(item);
      if (!match) throw new UsageError(`--rows ${item}: write TABLE=ROWS, e.g. --rows orders=50M or --rows public.orders=50000000.`);
      rows[match[1]!] = Number(match[2]) * ({ '': 1, k: 1e3, m: 1e6, g: 1e9 } as Record<string, number>)[match[3]!.toLowerCase()]!;
    }
    return { kind: 'row-counts', rows };
  }
  return undefined;
}

function milliseconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`${flag} ${value}: give a whole number of milliseconds, e.g. ${flag} 2000.`);
  return ms;
}

/** "statement 2 of 5" on stderr while a person watches; nothing in a pipe or CI log. */
function progressPrinter(): ((progress: CheckProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (progress) => {
    const line =
      progress.kind === 'statement'
        ? `statement ${progress.n} of ${progress.total}: ${progress.label}`
        : progress.kind === 'probing'
          ? `statement ${progress.n} of ${progress.total}: probing ${progress.table}`
          : progress.kind === 'replaying'
            ? `replaying ${progress.migration} (${progress.n} of ${progress.total})`
            : progress.kind === 'connecting'
              ? `connecting to ${progress.target}`
              : 'rolling back';
    process.stderr.write(`\r\x1b[2K${line}${progress.kind === 'rolling-back' ? '\n' : ''}`);
  };
}
