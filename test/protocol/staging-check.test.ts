import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { WorkDoneProgress, type Diagnostic, type CodeAction, type WorkDoneProgressBegin, type WorkDoneProgressEnd, type WorkDoneProgressReport } from 'vscode-languageserver';
import type { CheckMigrationParams, CheckMigrationResult } from '../../shared/protocol';
import { LspTestClient, PROJECT_ROOT } from '../helpers/lsp-client';

// "Check migration against staging" over LSP, on the embedded database (no staging URL): the real
// language server over stdio, the bundled example migrations, progress and cancellation.

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'migrations', '003_order_status_in_transaction.sql');
const uri = pathToFileURL(EXAMPLE).href;
const text = readFileSync(EXAMPLE, 'utf8');

/** Diagnostic messages may be markup since LSP 3.18; the server sends plain text. */
const messageOf = (diagnostic: Diagnostic) => (typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value);

type ProgressValue = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

describe('lockguard/checkMigration over stdio (embedded database)', () => {
  let client: LspTestClient;

  beforeAll(async () => {
    client = LspTestClient.start(['dist/server.js', '--stdio']);
    await client.connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: { window: { workDoneProgress: true } }, initializationOptions: { pgVersion: 15 } });
    await client.connection.sendNotification('initialized', {});
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    await client.diagnostics(uri);
  });

  afterAll(async () => {
    expect(await client.stop()).toBe(0);
  });

  /** Sends the check with a work-done token and records the progress the server reports on it. */
  function check(params: Omit<CheckMigrationParams, 'textDocument' | 'workDoneToken'>, cancel?: CancellationTokenSource) {
    const workDoneToken = `check-${Math.random()}`;
    const progress: ProgressValue[] = [];
    const listening = client.connection.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      progress.push(value);
    });
    const request = { textDocument: { uri }, workDoneToken, ...params };
    const sent = cancel ? client.connection.sendRequest<CheckMigrationResult>('lockguard/checkMigration', request, cancel.token) : client.connection.sendRequest<CheckMigrationResult>('lockguard/checkMigration', request);
    const result = sent.finally(() => listening.dispose());
    return { result, progress };
  }

  it('replays the earlier migrations, traces the file with "statement n of N" progress, and returns the report and checklist', async () => {
    const { result, progress } = check({});
    const answer = await result;
    if (answer.kind !== 'report') throw new Error(`expected a report: ${JSON.stringify(answer)}`);
    const { report } = answer;
    expect(report.target).toMatchObject({ kind: 'embedded', engine: 'PGlite', replayedMigrations: ['001_create_orders.sql', '002_index_orders_by_customer.sql'] });
    expect(report.outcome).toEqual({ kind: 'completed' });
    expect(report.rolledBack).toBe(true);
    const [addColumn, createIndex] = report.statements.filter((statement) => statement.status === 'traced');
    if (addColumn?.status !== 'traced' || createIndex?.status !== 'traced') throw new Error(`not traced: ${JSON.stringify(report.statements)}`);
    expect(addColumn.trace.locksAcquired.map((lock) => [lock.relation.name, lock.mode])).toEqual([['public.orders', 'ACCESS EXCLUSIVE']]);
    // The index build needs SHARE on orders, which the ACCESS EXCLUSIVE held since ADD COLUMN already covers.
    expect(createIndex.trace.locksHeld.filter((lock) => !lock.createdByMigration).map((lock) => [lock.relation.name, lock.mode])).toEqual([['public.orders', 'ACCESS EXCLUSIVE']]);
    expect(createIndex.trace.duration.kind).toBe('not-measured');

    // Progress: begin (cancellable), replaying, each statement "n of N", end.
    expect(progress[0]).toMatchObject({ kind: 'begin', cancellable: true });
    expect(progress.at(-1)).toEqual({ kind: 'end' });
    const messages = progress.flatMap((value) => (value.kind === 'report' && value.message ? [value.message] : []));
    expect(messages).toContain('Replaying earlier migration 1 of 2: 001_create_orders.sql');
    const total = report.statements.length;
    expect(messages.filter((message) => /^Statement \d+ of \d+: /.test(message))).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^Statement 1 of ${total}: `)), expect.stringMatching(new RegExp(`^Statement ${total} of ${total}: `))]));

    expect(answer.checklist).toMatch(/^\/\* lockguard:checklist\n/);
    expect(answer.checklist).toContain('orders: ACCESS EXCLUSIVE from statement');
    expect(answer.checklist).toContain('blocks SELECT, INSERT, UPDATE, DELETE, DDL (inferred)');
    // The report view's page comes rendered by the server, so the client bundles no engine code.
    expect(answer.page.title).toBe('Lockguard check: 003_order_status_in_transaction.sql');
    expect(answer.page.html).toMatch(/^<!DOCTYPE html>/);
    expect(answer.page.html).toContain('<h1>Lockguard check: 003_order_status_in_transaction.sql</h1>');
    expect(answer.page.html).toContain(`<pre class="checklist">`);

    // The diagnostics of the document gain the traced facts.
    const enriched = await client.diagnostics(uri, (params) => params.diagnostics.some((diagnostic) => messageOf(diagnostic).includes('Traced on the embedded PGlite database')));
    const finding = enriched.diagnostics.find((diagnostic) => diagnostic.code === 'create-index-without-concurrently')!;
    expect(messageOf(finding)).toMatch(
      /\nTraced on the embedded PGlite database \(no timing\): took no new lock \(the locks it needs were already held\); blocked until COMMIT: public\.orders: SELECT, INSERT, UPDATE, DELETE, DDL \(inferred\)$/,
    );

    // And the file can take the measured values into its checklist.
    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [] } });
    const fill = actions.find((action) => action.kind === 'quickfix.lockguard.checklist')!;
    expect(fill.title).toBe('Add the migration checklist with the measured values');
    expect(fill.edit!.changes![uri]).toEqual([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `${answer.checklist}\n\n` }]);
  }, 90_000);

  it('cancels: the response comes within a second of the cancel, with the report so far', async () => {
    const cancel = new CancellationTokenSource();
    const { result, progress } = check({}, cancel);
    // Cancel once the server is replaying the earlier migrations, i.e. while the embedded database works.
    const deadline = Date.now() + 60_000;
    while (!progress.some((value) => value.kind === 'report' && value.message?.startsWith('Replaying')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const cancelledAt = Date.now();
    cancel.cancel();
    const answer = await result;
    const elapsed = Date.now() - cancelledAt;
    expect(elapsed).toBeLessThan(1_000);
    if (answer.kind !== 'report') throw new Error(`expected a report: ${JSON.stringify(answer)}`);
    expect(answer.report.outcome.kind).toBe('cancelled');
    expect(answer.report.rolledBack).toBe(true);
  }, 90_000);

  it('answers a document it does not have with a clear error', async () => {
    await expect(client.connection.sendRequest('lockguard/checkMigration', { textDocument: { uri: 'file:///nowhere/missing.sql' } })).rejects.toThrow('Lockguard cannot check file:///nowhere/missing.sql: the document is not open in the editor.');
  });
});
