/**
 * `lockguard check` and `lockguard stats` as a user runs them: the built CLI against the embedded
 * database and a real staging database, with the documented exit codes (0 nothing waits, 1 traffic
 * waits or a statement failed, 2 usage/connection problems and refusals).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CheckReport } from '../../server/src/engine/staging/report';
import { lockguard, scratchDirectory } from '../cli/run-cli';
import buildBundles from '../global-build';
import { createStagingDatabase, type StagingDatabase } from './staging-fixture';

const serverUrl = inject('pgUrl');
const scratch = scratchDirectory('staging-cli');
let staging: StagingDatabase;

beforeAll(async () => {
  buildBundles();
  staging = await createStagingDatabase(serverUrl, 'staging_cli', 20_000);
}, 120_000);
afterAll(async () => staging?.drop());

describe('lockguard check', () => {
  it('without --url: the embedded database on the bundled example; writes wait, so exit 1', () => {
    const run = lockguard(['check', 'examples/migrations/002_index_orders_by_customer.sql']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('embedded PostgreSQL 18');
    expect(run.stdout).toContain('schema from 001_create_orders.sql');
    expect(run.stdout).toContain('public.orders (SHARE): INSERT, UPDATE, DELETE, DDL wait; SELECT runs (inferred)');
  });

  it('--url --rows --format json: the report with measured blocking and a production range', () => {
    const file = scratch.write('index.sql', 'CREATE INDEX orders_customer_idx ON orders (customer_id);\n');
    const run = lockguard(['check', file, '--url', staging.url, '--rows', 'orders=2M', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report).toMatchObject({ target: { kind: 'staging' }, outcome: { kind: 'completed' }, rolledBack: true, blocksTraffic: true });
    const [statement] = report.statements;
    if (statement?.status !== 'traced') throw new Error(run.stdout);
    expect(statement.trace.blocking[0]?.operations.every((verdict) => verdict.evidence === 'measured')).toBe(true);
    expect(statement.trace.estimate).toMatchObject({ kind: 'estimated', productionRows: 2_000_000, sentence: expect.stringMatching(/^SHARE on public\.orders for ~.+ at 2M rows: every write waits; reads continue$/) });
  });

  it('a migration that blocks nobody exits 0; markdown for a pull request', () => {
    const file = scratch.write('fresh.sql', 'CREATE TABLE fresh (id int PRIMARY KEY);\nCOMMENT ON TABLE orders IS $$orders$$;\n');
    const run = lockguard(['check', file, '--url', staging.url, '--format', 'markdown']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('| 2 | 2 | `COMMENT` |');
    for (const heading of ['Estimated run time on production volume', 'Lock analysis', 'Rollback procedure', 'Monitoring while it runs (run from another session)']) expect(run.stdout).toContain(`#### ${heading}`);
    expect(run.stdout).toContain('DROP TABLE IF EXISTS public.fresh;');
    expect(run.stdout).toContain('✔ No read or write of an existing table waits on this migration beyond a catalog change. Exit code 0.');
  });

  it('a failing statement exits 1 and says why', () => {
    const file = scratch.write('broken.sql', 'ALTER TABLE orders ADD COLUMN id int;\n');
    const run = lockguard(['check', file, '--url', staging.url]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('42701 column "id" of relation "orders" already exists');
    expect(run.stdout).toContain('✖ Not analysed past statement 1: it failed');
    expect(run.stdout).not.toContain('✔');
  });

  it('connection problems exit 2 with the message on stderr; a URL holding a password is refused without repeating it', async () => {
    const port = await closedPort();
    const run = lockguard(['check', 'examples/migrations/002_index_orders_by_customer.sql', '--url', `postgres://app@127.0.0.1:${port}/app`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Nothing accepts connections on 127.0.0.1:${port}`);
    const withPassword = lockguard(['check', 'examples/migrations/002_index_orders_by_customer.sql', '--url', `postgres://app:TopSecret@127.0.0.1:${port}/app`]);
    expect(withPassword.code).toBe(2);
    expect(withPassword.stderr).toContain('holds a password');
    expect(withPassword.stdout + withPassword.stderr).not.toContain('TopSecret');
  });

  it('usage mistakes exit 2', () => {
    expect(lockguard(['check']).code).toBe(2);
    expect(lockguard(['check', 'a.sql', 'b.sql']).code).toBe(2);
    expect(lockguard(['check', 'examples/migrations/001_create_orders.sql', '--format', 'xml']).stderr).toContain('--format xml is not one of text, json, markdown');
    expect(lockguard(['check', 'examples/migrations/001_create_orders.sql', '--rows', 'orders']).code).toBe(2);
    const typo = lockguard(['check', scratch.write('typo.sql', 'CREATE INDEX orders_customer_idx ON orders (customer_id);\n'), '--url', staging.url, '--rows', 'order=10M']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Production row counts were given for "order", which this migration does not touch: it touches orders.');
    expect(lockguard(['check', 'missing.sql']).stderr).toContain('cannot read missing.sql');
  });
});

describe('lockguard stats', () => {
  it('exports table sizes; checking against the same cluster as that export is refused', () => {
    const out = `${scratch.root}/stats.json`;
    const run = lockguard(['stats', '--url', staging.url, '--out', out]);
    expect(run.code).toBe(0);
    const stats = JSON.parse(readFileSync(out, 'utf8'));
    expect(stats).toMatchObject({ format: 'lockguard-stats', version: 1, server: { systemIdentifier: expect.stringMatching(/^\d+$/) }, settings: { maintenance_work_mem: expect.any(String), max_parallel_maintenance_workers: expect.any(String), work_mem: expect.any(String) } });
    expect(stats.tables).toContainEqual({ table: 'public.orders', rows: 20_000, bytes: expect.any(Number), totalBytes: expect.any(Number), indexBytes: expect.any(Number) });

    const file = scratch.write('refused.sql', 'ALTER TABLE orders ADD COLUMN x int;\n');
    const refused = lockguard(['check', file, '--url', staging.url, '--stats', out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Refusing to check');
    expect(lockguard(['stats']).code).toBe(2);
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().unref().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
