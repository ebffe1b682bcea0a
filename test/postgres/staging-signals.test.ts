/**
 * `lockguard check` stopped by a signal — Ctrl-C (SIGINT), a CI cancel, `timeout` or `docker stop`
 * (SIGTERM), a closed terminal (SIGHUP) — while a statement runs under ACCESS EXCLUSIVE on a real
 * PostgreSQL: the statement is cancelled and rolled back before the process exits, so 2 s after the
 * signal no lock and no session of the check is left, and the database is unchanged.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCKGUARD_BIN, scratchDirectory } from '../cli/run-cli';
import buildBundles from '../global-build';
import { createStagingDatabase, type StagingDatabase } from './staging-fixture';

const serverUrl = inject('pgUrl');
const scratch = scratchDirectory('staging-signals');
let staging: StagingDatabase;

beforeAll(async () => {
  buildBundles();
  staging = await createStagingDatabase(serverUrl, 'staging_signals', 1_000);
}, 120_000);
afterAll(async () => staging?.drop());

describe.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s', (signal) => {
  it('cancels the running statement and rolls back: no lock and no session after 2 s, nothing changed, exit 2', async () => {
    const before = await staging.checksums();
    const file = scratch.write(`signal-${signal}.sql`, 'BEGIN;\nALTER TABLE orders ADD COLUMN signalled int;\nSELECT pg_sleep(60);\nCOMMIT;\n');
    const child = spawn(process.execPath, [LOCKGUARD_BIN, 'check', file, '--url', staging.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const observer = await staging.session();
    // The check is inside pg_sleep, holding ACCESS EXCLUSIVE on orders.
    for (let i = 0; ; i++) {
      const { rows } = await observer.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'lockguard check%' AND query LIKE '%pg_sleep%' AND state = 'active'`);
      if (rows.length > 0) break;
      if (i > 200) throw new Error('the check never reached pg_sleep');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill(signal);
    const signalledAt = performance.now();
    expect(await exited).toBe(2);
    const waitedMs = performance.now() - signalledAt;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2_000 - waitedMs)));
    await observer.query(`SET lock_timeout = '200ms'`);
    await observer.query('BEGIN');
    await observer.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    await observer.query('ROLLBACK');
    const { rows } = await observer.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'lockguard%'`);
    expect(rows).toEqual([]);
    expect(await staging.checksums()).toEqual(before);
  });
});
