/**
 * The staging check's safety on a real PostgreSQL: cancel rolls back within 1 s; a lock held by
 * another session gives lock_timeout and names that session instead of hanging; connection failures
 * get clear messages within the connect timeout; a password never appears in any result; a staging
 * URL that is production is refused; and the database is unchanged after every check.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkMigration } from '../../server/src/engine/staging/check';
import { connect as connectTarget } from '../../server/src/engine/staging/connection';
import { resolveTarget } from '../../server/src/engine/staging/connection-target';
import type { CheckRequest, CheckResult } from '../../server/src/engine/staging/report';
import { scratchDirectory } from '../cli/run-cli';
import { connect } from './pg-sessions';
import { createStagingDatabase, databaseUrl, type StagingDatabase } from './staging-fixture';

const serverUrl = inject('pgUrl');
const PASSWORD = 'Sekr3t-passw0rd!';
const ROLE = 'lockguard_pw';

let staging: StagingDatabase;
beforeAll(async () => {
  staging = await createStagingDatabase(serverUrl, 'staging_safety');
});
afterAll(async () => staging?.drop());

const request = (text: string, extra: Partial<CheckRequest> = {}): CheckRequest => ({ file: 'migration.sql', text, staging: { url: staging.url }, lockTimeoutMs: 5_000, ...extra });

function problemOf(result: CheckResult) {
  if (result.kind !== 'problem') throw new Error(`expected a problem, got a report: ${JSON.stringify(result.report.outcome)}`);
  return result.problem;
}

function reportOf(result: CheckResult) {
  if (result.kind !== 'report') throw new Error(`expected a report, got ${JSON.stringify(result.problem)}`);
  return result.report;
}

describe('cancel and lock conflicts', () => {
  it('cancel mid-statement: the statement stops, the transaction rolls back within 1 s and nothing changed', async () => {
    const before = await staging.checksums();
    const controller = new AbortController();
    let abortedAt = 0;
    const running = checkMigration(request('ALTER TABLE orders ADD COLUMN cancelled_col int;\nSELECT pg_sleep(30);\nALTER TABLE orders DROP COLUMN note;'), {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.kind === 'statement' && progress.n === 2) {
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 300);
        }
      },
    });
    const report = reportOf(await running);
    expect(performance.now() - abortedAt).toBeLessThan(1_000);
    expect(report.outcome).toEqual({ kind: 'cancelled', statementIndex: 1 });
    expect(report.statements.map((statement) => statement.status)).toEqual(['traced', 'not-reached', 'not-reached']);
    expect(report.rolledBack).toBe(true);
    // The ACCESS EXCLUSIVE lock of the first statement is gone, and so are the check's sessions.
    const other = await staging.session();
    await other.query(`SET lock_timeout = '200ms'`);
    await other.query('BEGIN');
    await other.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
    await other.query('ROLLBACK');
    const { rows } = await other.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'lockguard%'`);
    expect(rows).toEqual([]);
    expect(await staging.checksums()).toEqual(before);
  });

  it('a lock held by another session: lock_timeout, with the blocker named — not a hang', async () => {
    const blocker = await staging.session();
    await blocker.query(`SET application_name = 'reporting-job'`);
    await blocker.query('BEGIN');
    await blocker.query('SELECT count(*) FROM customers');
    await blocker.query('SELECT id FROM orders LIMIT 1');
    const started = performance.now();
    try {
      const report = reportOf(await checkMigration(request('ALTER TABLE orders ADD COLUMN blocked_col int;', { lockTimeoutMs: 400 })));
      expect(performance.now() - started).toBeLessThan(5_000);
      const [statement] = report.statements;
      if (statement?.status !== 'failed') throw new Error(JSON.stringify(statement));
      expect(statement.error.code).toBe('55P03');
      expect(statement.error.hint).toMatch(/another session on staging holds a conflicting lock/);
      expect(statement.error.blockers).toEqual([{ pid: (blocker as unknown as { processID: number }).processID, query: 'SELECT id FROM orders LIMIT 1', applicationName: 'reporting-job' }]);
      expect(report.outcome).toMatchObject({ kind: 'failed', statementIndex: 0 });
    } finally {
      await blocker.query('ROLLBACK');
    }
  });

  it('a probe that waits on another session, not on the migration, falls back to the inferred verdict instead of "blocked"', async () => {
    // SHARE lets the migration read, but makes every write wait — on this session, not on the migration.
    const other = await staging.session();
    await other.query('BEGIN');
    await other.query('LOCK TABLE orders IN SHARE MODE');
    try {
      const report = reportOf(await checkMigration(request('SELECT count(*) FROM orders;')));
      const [statement] = report.statements;
      if (statement?.status !== 'traced') throw new Error(JSON.stringify(statement));
      const orders = statement.trace.blocking.find((table) => table.table === 'public.orders');
      expect(orders?.strongestMode).toBe('ACCESS SHARE');
      // The writes waited on the other session until the probes' lock_timeout: what the migration's lock does is inferred.
      expect(orders?.operations).toEqual([
        { operation: 'SELECT', blocked: false, evidence: 'measured' },
        { operation: 'INSERT', blocked: false, evidence: 'inferred' },
        { operation: 'UPDATE', blocked: false, evidence: 'inferred' },
        { operation: 'DELETE', blocked: false, evidence: 'inferred' },
        // LOCK TABLE waited on both sessions: the migration's ACCESS SHARE blocks DDL.
        { operation: 'DDL', blocked: true, evidence: 'measured' },
      ]);
    } finally {
      await other.query('ROLLBACK');
    }
  });
});

describe('a lost connection', () => {
  it('the server ends the traced session mid-statement: a failed check, and nothing changed', async () => {
    const before = await staging.checksums();
    const killer = await staging.session();
    const report = reportOf(
      await checkMigration(request('ALTER TABLE orders ADD COLUMN lost_col int;\nSELECT pg_sleep(30);'), {
        onProgress: (progress) => {
          if (progress.kind === 'statement' && progress.n === 2) {
            setTimeout(() => void killer.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'lockguard check%' AND query LIKE '%pg_sleep%'`), 300);
          }
        },
      }),
    );
    expect(report.outcome).toMatchObject({ kind: 'failed', statementIndex: 1 });
    expect(report.statements[1]).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/terminat/i) } });
    expect(await staging.checksums()).toEqual(before);
  });
});

describe('connection problems', () => {
  let hbaFile: string;
  let hba: string;
  beforeAll(async () => {
    // Trust is the test servers' default; this role alone must give a password.
    const admin = await connect(serverUrl);
    hbaFile = (await admin.query<{ hba_file: string }>('SHOW hba_file')).rows[0]!.hba_file;
    hba = await readFile(hbaFile, 'utf8');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(hbaFile, `host all ${ROLE} 127.0.0.1/32 scram-sha-256\n${hba}`);
    await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin.query(`SET password_encryption = 'scram-sha-256'`);
    await admin.query(`CREATE ROLE ${ROLE} LOGIN SUPERUSER PASSWORD '${PASSWORD}'`);
    await admin.query('SELECT pg_reload_conf()');
    await admin.end();
  });
  afterAll(async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(hbaFile, hba);
    const admin = await connect(serverUrl);
    await admin.query('SELECT pg_reload_conf()');
    await admin.query(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin.end();
  });

  const roleUrl = (password?: string) => {
    const url = new URL(staging.url);
    url.username = ROLE;
    if (password) url.password = password;
    return url.toString();
  };

  it('the password given by the caller (SecretStorage) works and appears nowhere in the report', async () => {
    const result = await checkMigration(request('ALTER TABLE orders ADD COLUMN secret_col int;', { staging: { url: roleUrl(), password: PASSWORD } }));
    expect(reportOf(result).outcome).toEqual({ kind: 'completed' });
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('a password inside the URL is refused before connecting, with a message that does not repeat it', async () => {
    const result = await checkMigration(request('SELECT 1;', { staging: { url: roleUrl(PASSWORD) } }));
    const problem = problemOf(result);
    expect(problem.kind).toBe('input');
    expect(problem.message).toContain(`"${roleUrl()}" holds a password`);
    expect(problem.message).toMatch(/PGPASSWORD.*~\/\.pgpass/);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
    expect(JSON.stringify(result)).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('a wrong password: a clear message, without the password', async () => {
    const result = await checkMigration(request('SELECT 1;', { staging: { url: roleUrl(), password: 'wrong-' + PASSWORD } }));
    const problem = problemOf(result);
    expect(problem).toMatchObject({ kind: 'connection', reason: 'wrong-password' });
    expect(problem.message).toContain(`rejected the password of user "${ROLE}"`);
    expect(JSON.stringify(result)).not.toContain(PASSWORD);
  });

  it('no password at all: says where to put it', async () => {
    const saved = process.env.PGPASSWORD;
    delete process.env.PGPASSWORD;
    try {
      const problem = problemOf(await checkMigration(request('SELECT 1;', { staging: { url: roleUrl() } })));
      expect(problem).toMatchObject({ kind: 'connection', reason: 'no-password' });
      expect(problem.message).toMatch(/PGPASSWORD.*~\/\.pgpass/);
    } finally {
      if (saved !== undefined) process.env.PGPASSWORD = saved;
    }
  });

  it('a missing database, a dead server and an unknown host: clear messages within the connect timeout', async () => {
    const missing = problemOf(await checkMigration(request('SELECT 1;', { staging: { url: databaseUrl(serverUrl, 'no_such_db') } })));
    expect(missing).toMatchObject({ kind: 'connection', reason: 'missing-database' });
    expect(missing.message).toContain('"no_such_db" does not exist');

    const port = await closedPort();
    const refused = problemOf(await checkMigration(request('SELECT 1;', { staging: { url: `postgres://postgres@127.0.0.1:${port}/postgres` } })));
    expect(refused).toMatchObject({ kind: 'connection', reason: 'refused' });
    expect(refused.message).toContain(`127.0.0.1:${port}`);

    const started = performance.now();
    const unknown = problemOf(await checkMigration(request('SELECT 1;', { staging: { url: 'postgres://postgres@db.invalid:5432/app' }, connectTimeoutMs: 2_000 })));
    expect(unknown).toMatchObject({ kind: 'connection', reason: expect.stringMatching(/^(unknown-host|timeout)$/) });
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe('never on production', () => {
  it('refuses a staging URL that is the production database, and runs nothing', async () => {
    const before = await staging.checksums();
    const problem = problemOf(await checkMigration(request('ALTER TABLE orders ADD COLUMN x int;', { production: { kind: 'connection', url: staging.url } })));
    expect(problem.kind).toBe('refused-production');
    expect(problem.message).toContain('must never run on production');
    expect(await staging.checksums()).toEqual(before);
  });

  it('refuses a staging database in the same cluster as production (same system identifier)', async () => {
    const other = databaseUrl(serverUrl, 'postgres');
    const problem = problemOf(await checkMigration(request('SELECT 1;', { production: { kind: 'connection', url: other } })));
    expect(problem).toMatchObject({ kind: 'refused-production' });
    expect(problem.message).toMatch(/system identifier \d+/);
  });
});

const scratch = scratchDirectory('staging-safety');
const scratchFile = (name: string, content: unknown) => scratch.write(name, JSON.stringify(content));

const connectTo = (url: string, options: { readOnly: boolean }) => connectTarget(resolveTarget(url, undefined), { applicationName: 'test', ...options });

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().unref().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('production sizes from a read-only connection', () => {
  const servers = inject('pgServers');
  // Production must be another cluster than staging, or the check refuses it: two servers of the matrix.
  it.skipIf(servers.length < 2)('reads production sizes from another cluster in a read-only session', async () => {
    const productionServer = servers.find((server) => server.url !== serverUrl)!;
    const production = await createStagingDatabase(productionServer.url, 'production_sizes', 30_000);
    try {
      const result = await checkMigration(request('CREATE INDEX orders_note_idx ON orders (note);', { production: { kind: 'connection', url: production.url } }));
      const report = reportOf(result);
      expect(report.tables).toEqual([{ table: 'public.orders', staging: expect.objectContaining({ rows: 200_000 }), production: expect.objectContaining({ rows: 30_000, bytes: expect.any(Number), source: 'connection' }) }]);
      const [statement] = report.statements;
      expect(statement?.status === 'traced' && statement.trace.estimate).toMatchObject({ kind: 'estimated', productionRows: 30_000, model: 'n-log-n' });
    } finally {
      await production.drop();
    }
  });

  it("the staging measurement runs with production's sort memory and parallel workers (from a stats file)", async () => {
    const stats = scratchFile('stats.json', {
      format: 'lockguard-stats',
      version: 1,
      exportedAt: '2026-11-25T00:00:00Z',
      server: { version: '17.10', systemIdentifier: null },
      settings: { maintenance_work_mem: '1234kB', max_parallel_maintenance_workers: '0' },
      tables: [{ table: 'public.orders', rows: 5_000_000, bytes: 400_000_000, totalBytes: 500_000_000 }],
    });
    const probe = `DO $$ BEGIN
      IF current_setting('maintenance_work_mem') <> '1234kB' OR current_setting('max_parallel_maintenance_workers') <> '0' THEN RAISE EXCEPTION 'production settings not applied'; END IF;
    END $$;`;
    const report = reportOf(await checkMigration(request(`${probe}\nCREATE INDEX orders_note_idx ON orders (note);`, { production: { kind: 'stats-file', path: stats } })));
    expect(report.outcome).toEqual({ kind: 'completed' });
    expect(report.tables[0]?.production).toEqual({ rows: 5_000_000, bytes: 400_000_000, source: 'stats-file' });
  });

  it('the production session cannot write', async () => {
    const client = await connectTo(staging.url, { readOnly: true });
    try {
      await expect(client.query('CREATE TABLE must_not_exist (id int)')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await client.end();
    }
  });
});
