import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { WorkDoneProgress, type Diagnostic, type WorkDoneProgressBegin, type WorkDoneProgressEnd, type WorkDoneProgressReport } from 'vscode-languageserver';
import type { CheckMigrationParams, CheckMigrationResult } from '../../shared/protocol';
import { LspTestClient, PROJECT_ROOT } from '../helpers/lsp-client';
import { createStagingDatabase, ORDERS_ROWS, type StagingDatabase } from './staging-fixture';

// "Check migration against staging" through the language server, against a real PostgreSQL seeded
// with 200k orders: measured locks and blocking, "statement n of N" progress, a cancel that rolls
// back within a second, and diagnostics that gain the measured facts.

const MIGRATION = ['ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);', ''].join('\n');
const SLOW_MIGRATION = ['ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', 'SELECT pg_sleep(30);', ''].join('\n');
const uri = 'file:///project/migrations/010_orders_customer_index.sql';
const slowUri = 'file:///project/migrations/011_slow.sql';
/** A password the test server (trust authentication) never needs: it must not show up anywhere. */
const PASSWORD = 'never-logged-7f3a9c';

/** Diagnostic messages may be markup since LSP 3.18; the server sends plain text. */
const messageOf = (diagnostic: Diagnostic) => (typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value);

type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

let buildDir: string;

beforeAll(async () => {
  // The postgres project has no build step: bundle the server from the current sources.
  buildDir = await mkdtemp(join(tmpdir(), 'lockguard-lsp-'));
  const require = createRequire(import.meta.url);
  await build({ entryPoints: [join(PROJECT_ROOT, 'server/src/lsp/main.ts')], outfile: join(buildDir, 'server.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  await copyFile(join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'), join(buildDir, 'libpg-query.wasm'));
});

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
});

describe.each(inject('pgServers'))('lockguard/checkMigration over stdio against PostgreSQL $major', ({ url: serverUrl }) => {
  let staging: StagingDatabase;
  let client: LspTestClient;

  beforeAll(async () => {
    staging = await createStagingDatabase(serverUrl, 'lockguard_lsp_check');
    client = LspTestClient.start([join(buildDir, 'server.js'), '--stdio']);
    await client.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { pgVersion: 15 } });
    await client.connection.sendNotification('initialized', {});
    for (const [documentUri, text] of [[uri, MIGRATION], [slowUri, SLOW_MIGRATION]] as const) {
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: documentUri, languageId: 'sql', version: 1, text } });
      await client.diagnostics(documentUri);
    }
  });

  afterAll(async () => {
    const logged = [...client.stderr, ...client.notifications.map((notification) => JSON.stringify(notification)), ...client.published.map((params) => JSON.stringify(params))].join('\n');
    expect(await client.stop()).toBe(0);
    await staging.drop();
    expect(logged).not.toContain(PASSWORD);
  });

  function check(documentUri: string, params: Omit<CheckMigrationParams, 'textDocument' | 'workDoneToken'>, cancel?: CancellationTokenSource) {
    const workDoneToken = `check-${Math.random()}`;
    const progress: ProgressValue[] = [];
    const listening = client.connection.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      progress.push(value);
    });
    const request = { textDocument: { uri: documentUri }, workDoneToken, ...params };
    const sent = cancel ? client.connection.sendRequest<CheckMigrationResult>('lockguard/checkMigration', request, cancel.token) : client.connection.sendRequest<CheckMigrationResult>('lockguard/checkMigration', request);
    return { result: sent.finally(() => listening.dispose()), progress };
  }

  const reportOf = (answer: CheckMigrationResult) => {
    if (answer.kind !== 'report') throw new Error(`expected a report: ${JSON.stringify(answer)}`);
    return answer;
  };

  it('measures locks, blocking and durations, scales them to production, and changes nothing', async () => {
    const before = await staging.checksums();
    const { result, progress } = check(uri, { staging: { url: staging.url, password: PASSWORD }, production: { kind: 'row-counts', rows: { orders: ORDERS_ROWS * 10 } } });
    const { report, checklist } = reportOf(await result);
    expect(await staging.checksums()).toEqual(before);

    expect(report.target).toMatchObject({ kind: 'staging' });
    expect(report.outcome).toEqual({ kind: 'completed' });
    const [addColumn, createIndex] = report.statements;
    if (addColumn?.status !== 'traced' || createIndex?.status !== 'traced') throw new Error(`not traced: ${JSON.stringify(report.statements)}`);
    expect(addColumn.trace.locksAcquired.map((lock) => [lock.relation.name, lock.mode])).toEqual([['public.orders', 'ACCESS EXCLUSIVE']]);
    // Blocking is measured by a second connection, not inferred.
    const blockedBy = (statement: typeof addColumn) => statement.trace.blocking.find((table) => table.table === 'public.orders')!.operations.filter((verdict) => verdict.blocked);
    expect(blockedBy(addColumn)).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL'].map((operation) => ({ operation, blocked: true, evidence: 'measured' })));
    // Two autocommit statements: in production ALTER TABLE has committed when the index build runs, whose own
    // SHARE lock blocks writes only. The check's one transaction still holds ACCESS EXCLUSIVE, which makes every
    // probe wait, so the verdicts come from the conflict matrix for SHARE.
    expect(blockedBy(createIndex)).toEqual(['INSERT', 'UPDATE', 'DELETE', 'DDL'].map((operation) => ({ operation, blocked: true, evidence: 'inferred' })));
    expect(createIndex.trace.duration.kind).toBe('measured');
    expect(createIndex.trace.estimate).toMatchObject({ kind: 'estimated', productionRows: ORDERS_ROWS * 10 });

    const messages = progress.flatMap((value) => (value.kind === 'report' && value.message ? [value.message] : []));
    expect(messages).toEqual(expect.arrayContaining(['Statement 1 of 2: ALTER TABLE', 'Statement 2 of 2: CREATE INDEX']));
    expect(progress.at(-1)).toEqual({ kind: 'end' });

    expect(checklist).toMatch(/\n {2}statement 2 \(CREATE INDEX\): [\d.]+( ms| s| min)?–[\d.]+ (ms|s|min) at 2M rows of public\.orders \(200k on staging\)\n/);
    // Per table, the lock traffic waits on while the index is built: SHARE, not the catalog change's ACCESS EXCLUSIVE.
    expect(checklist).toMatch(/\n {2}public\.orders: SHARE for [^\n]+ on production in total \(2 transactions\)\n/);
    expect(checklist).toContain('\n  public.orders: ACCESS EXCLUSIVE during statement 1, blocks SELECT, INSERT, UPDATE, DELETE, DDL (measured); a catalog change only: held for milliseconds\n');
    expect(checklist).toContain('\n  public.orders: SHARE during statement 2, blocks INSERT, UPDATE, DELETE, DDL (inferred); ');

    const enriched = await client.diagnostics(uri, (params) => params.diagnostics.some((diagnostic) => messageOf(diagnostic).includes('Measured on staging')));
    const finding = enriched.diagnostics.find((diagnostic) => diagnostic.code === 'create-index-without-concurrently')!;
    expect(messageOf(finding)).toMatch(/\nMeasured on staging \(PostgreSQL \d+\.\d+\): took SHARE on public\.orders; ran \d+(\.\d)? (ms|s); blocked until COMMIT: public\.orders: INSERT, UPDATE, DELETE, DDL \(inferred\); production: SHARE on public\.orders for ~/);
  });

  it('checks only the statements of the selection', async () => {
    const { result } = check(uri, { staging: { url: staging.url }, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } } });
    const { report } = reportOf(await result);
    expect(report.statements.map((statement) => [statement.index, statement.text])).toEqual([[1, 'CREATE INDEX orders_customer_id_idx ON orders (customer_id)']]);
  });

  it('cancels a running statement: the answer comes within a second, rolled back, with the statements so far', async () => {
    const before = await staging.checksums();
    const cancel = new CancellationTokenSource();
    const { result, progress } = check(slowUri, { staging: { url: staging.url } }, cancel);
    const deadline = Date.now() + 30_000;
    while (!progress.some((value) => value.kind === 'report' && value.message?.startsWith('Statement 2 of 2')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 300)); // into pg_sleep
    const cancelledAt = Date.now();
    cancel.cancel();
    const { report } = reportOf(await result);
    expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    expect(report.outcome).toEqual({ kind: 'cancelled', statementIndex: 1 });
    expect(report.statements[0]!.status).toBe('traced');
    expect(await staging.checksums()).toEqual(before);
    // Nothing of the check is left on the server: no session, so no lock.
    const session = await staging.session();
    const { rows } = await session.query(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'lockguard%'`);
    expect(rows).toEqual([]);
  });
});
