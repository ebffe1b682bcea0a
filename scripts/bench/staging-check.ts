/**
 * The staging check's overhead on a 1M-row table. Compared, in wall time:
 * - plain: connect one session, BEGIN, the migration's statements one by one, ROLLBACK, close;
 * - check: the whole `checkMigration` call, as `lockguard check --url … --rows orders=50M` runs it: parse,
 *   open its sessions (tracer, probes), trace every statement (snapshots, blocking probes),
 *   ROLLBACK, staging sizes, production estimates, close.
 * Neither counts the wait for its backends to exit after the ROLLBACK (the check does not wait for it),
 * and each run starts once the previous one's are gone.
 * Overhead = (median check − median plain) / median plain, over RUNS runs each, alternating which goes
 * first. Also prints the check's text report.
 * Run: `node scripts/bench/staging-check.mjs [rows] [runs] [major]` (defaults 1000000, 21 and 17: the statements alone vary by ±10 % from run to run on a shared 2-core machine, so fewer runs give a noisy median).
 */
import pg from 'pg';
import { formatCheck } from '../../server/src/cli/check-format';
import { NO_COLORS } from '../../server/src/cli/format-text';
import { checkMigration, checksClosed } from '../../server/src/engine/staging/check';
import type { CheckReport, CheckResult } from '../../server/src/engine/staging/report';
import { startPostgres } from '../../test/postgres/pg-server';
import { createStagingDatabase } from '../../test/postgres/staging-fixture';
import { median } from './stats';

const MIGRATION = [
  'CREATE INDEX orders_customer_idx ON orders (customer_id);',
  "ALTER TABLE orders ADD CONSTRAINT orders_status_chk CHECK (status <> '');",
  'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
].join('\n');

interface Run {
  plainMs: number;
  checkMs: number;
  /** The statements' durations as the check measured them. */
  statementsMs: number;
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[3] ?? 21);
  const major = Number(process.argv[4] ?? 17);
  const server = await startPostgres({ major });
  try {
    const staging = await createStagingDatabase(server.url, 'bench_staging', rows);
    // Warm-up, not counted: loads the parser and the server's caches.
    await runPlainly(staging.url);
    let report = await runCheck(staging.url);
    await checksClosed();
    const results: Run[] = [];
    for (let run = 0; run < runs; run++) {
      // Alternate which goes first, so neither always runs on the caches the other left.
      const plainFirst = run % 2 === 0;
      const plainBefore = plainFirst ? await runPlainly(staging.url) : undefined;
      const started = performance.now();
      report = await runCheck(staging.url);
      const checkMs = performance.now() - started;
      // Outside the time, as for plain: the next run starts once the check's backends are gone.
      await checksClosed();
      const plainMs = plainBefore ?? (await runPlainly(staging.url));
      results.push({ plainMs, checkMs, statementsMs: statementsMs(report) });
    }
    await staging.drop();
    process.stdout.write(`${formatCheck('text', report, NO_COLORS)}\n`);
    process.stdout.write(table(results, { rows, serverVersion: report.target.serverVersion }));
  } finally {
    await server.stop();
  }
}

async function runCheck(url: string): Promise<CheckReport> {
  return reportOf(await checkMigration({ file: 'bench.sql', text: MIGRATION, staging: { url }, production: { kind: 'row-counts', rows: { orders: 50_000_000 } } }));
}

function reportOf(result: CheckResult): CheckReport {
  if (result.kind !== 'report') throw new Error(result.problem.message);
  if (result.report.outcome.kind !== 'completed') throw new Error(`the check did not complete: ${JSON.stringify(result.report.outcome)}`);
  return result.report;
}

const statementsMs = (report: CheckReport) =>
  report.statements.reduce((sum, statement) => sum + (statement.status === 'traced' && statement.trace.duration.kind === 'measured' ? statement.trace.duration.ms : 0), 0);

async function runPlainly(url: string): Promise<number> {
  const started = performance.now();
  const client = new pg.Client(url);
  await client.connect();
  await client.query('BEGIN');
  for (const statement of MIGRATION.split('\n')) await client.query(statement);
  await client.query('ROLLBACK');
  const elapsed = performance.now() - started;
  // Outside the time, as the check does not wait for its backends to exit either.
  await client.end();
  return elapsed;
}

function table(results: readonly Run[], about: { rows: number; serverVersion: string }): string {
  const overhead = (plain: number, check: number) => `${check >= plain ? '+' : ''}${(((check - plain) / plain) * 100).toFixed(1)} %`;
  const ms = (value: number, width: number) => value.toFixed(0).padStart(width);
  const line = (label: string, plain: number, check: number, statements: number, rest: number) =>
    `${label.padEnd(8)}${ms(plain, 10)}${ms(check, 10)}${overhead(plain, check).padStart(10)}${ms(statements, 16)}${ms(rest, 10)}\n`;
  const medianOf = (value: (run: Run) => number) => median(results.map(value));
  const plain = medianOf((run) => run.plainMs);
  const check = medianOf((run) => run.checkMs);
  return [
    `Staging check overhead: PostgreSQL ${about.serverVersion}, public.orders ${about.rows.toLocaleString('en-US')} rows, ${MIGRATION.split('\n').length} statements, ${results.length} runs\n`,
    'plain = connect, BEGIN, the statements, ROLLBACK; check = the whole checkMigration call (sessions, trace, probes, rollback, sizes); neither waits for its backends to exit;\n',
    "statements = their durations as the check measured them; rest = check − statements (the check's own work)\n",
    `${'run'.padEnd(8)}${'plain ms'.padStart(10)}${'check ms'.padStart(10)}${'overhead'.padStart(10)}${'statements ms'.padStart(16)}${'rest ms'.padStart(10)}\n`,
    ...results.map((run, i) => line(String(i + 1), run.plainMs, run.checkMs, run.statementsMs, run.checkMs - run.statementsMs)),
    line('median', plain, check, medianOf((run) => run.statementsMs), medianOf((run) => run.checkMs - run.statementsMs)),
    `overhead of the check: (median check − median plain) / median plain = ${overhead(plain, check)} (target ≤ 10 %)\n`,
    // A cross-check that drifts of the machine's speed between runs do not move: each check against the plain run next to it.
    `paired: median over the runs of (check − plain) / plain of the same run = ${pairedOverhead(results)}\n`,
  ].join('');
}

function pairedOverhead(results: readonly Run[]): string {
  const paired = median(results.map((run) => ((run.checkMs - run.plainMs) / run.plainMs) * 100));
  return `${paired >= 0 ? '+' : ''}${paired.toFixed(1)} %`;
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
