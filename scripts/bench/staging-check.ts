/**
 * The staging check's overhead: the same migration on a 1M-row table run plainly (connect, BEGIN, the
 * statements, ROLLBACK) and through `checkMigration` (three connections, snapshots around every
 * statement, blocking probes, sizes), median of RUNS runs each. Also prints the check's text report.
 * Run: `node scripts/bench/staging-check.mjs [rows] [runs]` (defaults 1000000 and 5).
 */
import pg from 'pg';
import { formatCheck } from '../../server/src/cli/check-format';
import { NO_COLORS } from '../../server/src/cli/format-text';
import { checkMigration } from '../../server/src/engine/staging/check';
import type { CheckReport, CheckResult } from '../../server/src/engine/staging/report';
import { startPostgres } from '../../test/postgres/pg-server';
import { createStagingDatabase } from '../../test/postgres/staging-fixture';
import { formatMs, median } from './stats';

const MIGRATION = [
  'CREATE INDEX orders_customer_idx ON orders (customer_id);',
  "ALTER TABLE orders ADD CONSTRAINT orders_status_chk CHECK (status <> '');",
  'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;',
].join('\n');

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[3] ?? 5);
  const server = await startPostgres({ major: 17 });
  try {
    const staging = await createStagingDatabase(server.url, 'bench_staging', rows);
    const plain: number[] = [];
    const checked: number[] = [];
    const statementsOnly: number[] = [];
    // Warm-up, not counted: loads the parser and the server's caches.
    await runPlainly(staging.url);
    let report = formatCheck('text', reportOf(await checkMigration({ file: 'bench.sql', text: MIGRATION, staging: { url: staging.url } })), NO_COLORS);
    for (let run = 0; run < runs; run++) {
      // Alternate, so a noisy neighbour hurts both sides alike.
      plain.push(await runPlainly(staging.url));
      const started = performance.now();
      const result = await checkMigration({ file: 'bench.sql', text: MIGRATION, staging: { url: staging.url }, production: { kind: 'row-counts', rows: { orders: 50_000_000 } } });
      checked.push(performance.now() - started);
      statementsOnly.push(reportOf(result).statements.reduce((sum, statement) => sum + (statement.status === 'traced' && statement.trace.duration.kind === 'measured' ? statement.trace.duration.ms : 0), 0));
      report = formatCheck('text', reportOf(result), NO_COLORS);
    }
    const plainMs = median(plain);
    const checkMs = median(checked);
    process.stdout.write(`${report}\n`);
    process.stdout.write(`orders: ${rows} rows, PostgreSQL 17, ${runs} runs each (median)\n`);
    process.stdout.write(`plain (connect, BEGIN, 3 statements, ROLLBACK): ${formatMs(plainMs)}   runs: ${plain.map(formatMs).join(', ')}\n`);
    process.stdout.write(`lockguard check (whole check):                  ${formatMs(checkMs)}   runs: ${checked.map(formatMs).join(', ')}\n`);
    process.stdout.write(`statements as timed inside the check:           ${formatMs(median(statementsOnly))}\n`);
    process.stdout.write(`fixed cost of the check (whole check − plain):  ${formatMs(checkMs - plainMs)}\n`);
    process.stdout.write(`overhead of the check: ${(((checkMs - plainMs) / plainMs) * 100).toFixed(1)} %\n`);
    await staging.drop();
  } finally {
    await server.stop();
  }
}

function reportOf(result: CheckResult): CheckReport {
  if (result.kind !== 'report') throw new Error(result.problem.message);
  return result.report;
}

async function runPlainly(url: string): Promise<number> {
  const started = performance.now();
  const client = new pg.Client(url);
  await client.connect();
  await client.query('BEGIN');
  for (const statement of MIGRATION.split('\n')) await client.query(statement);
  await client.query('ROLLBACK');
  await client.end();
  return performance.now() - started;
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
