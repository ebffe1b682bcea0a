import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Hover, InitializeResult, MarkupContent } from 'vscode-languageserver';
import { LspTestClient } from '../helpers/lsp-client';

const INCIDENT = '-- add an index\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);\n';

describe.each([
  ['lockguard lsp --stdio', ['bin/lockguard.js', 'lsp', '--stdio']],
  ['dist/server.js --stdio (what the VS Code client starts)', ['dist/server.js', '--stdio']],
])('language server over stdio: %s', (_name, command) => {
  let client: LspTestClient;
  let initialize: InitializeResult;

  beforeAll(async () => {
    client = LspTestClient.start(command);
    initialize = await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions: { pgVersion: 15 },
    });
    await client.connection.sendNotification('initialized', {});
  });

  afterAll(async () => {
    expect(await client.stop()).toBe(0);
  });

  const open = (uri: string, text: string, version = 1) =>
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version, text } });

  it('announces incremental sync, code actions and hover', () => {
    expect(initialize.capabilities).toMatchObject({ textDocumentSync: 2, hoverProvider: true, codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.lockguard'] } });
  });

  it('publishes the diagnostic on open, then offers the CONCURRENTLY fix and a hover that explains the lock', async () => {
    const uri = 'file:///migrations/002_index.sql';
    await open(uri, INCIDENT);
    const { diagnostics, version } = await client.diagnostics(uri);
    expect(version).toBe(1);
    expect(diagnostics).toHaveLength(1);
    const [diagnostic] = diagnostics;
    expect(diagnostic).toMatchObject({
      code: 'create-index-without-concurrently',
      severity: 1,
      source: 'lockguard',
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } },
    });
    expect(diagnostic!.message).toMatch(/SHARE lock on orders/);
    // The rule's documentation page ships with the package and the link points at it.
    expect(existsSync(fileURLToPath(diagnostic!.codeDescription!.href))).toBe(true);

    const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic!.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    expect(actions.map((action) => [action.kind, action.isPreferred, action.title])).toEqual([
      ['quickfix', true, 'Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS'],
      ['quickfix', false, 'Ignore create-index-without-concurrently here (add a lockguard-ignore comment; write the reason after the colon)'],
    ]);
    expect(actions[0]!.edit!.changes![uri]).toEqual([{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 12 } }, newText: ' CONCURRENTLY IF NOT EXISTS' }]);
    expect(actions[1]!.edit!.changes![uri]).toEqual([{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, newText: '-- lockguard-ignore create-index-without-concurrently: \n' }]);

    // "Fix all" (e.g. on save) applies only what is safe without review, and only when asked for.
    const fixAll: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    expect(fixAll.map((action) => [action.kind, action.title])).toEqual([['source.fixAll.lockguard', 'Apply all safe Lockguard fixes']]);
    expect(fixAll[0]!.edit!.changes![uri]).toEqual(actions[0]!.edit!.changes![uri]);

    // Hovering the table name, not only the squiggle, explains the statement.
    const hover: Hover = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 42 } });
    const markdown = (hover.contents as MarkupContent).value;
    expect(markdown).toContain('| SHARE | `orders` |');
    expect(markdown).toMatch(/INSERT, UPDATE, DELETE/);
    expect(markdown).toMatch(/plain reads continue/);
    expect(markdown).toMatch(/\*\*Safe alternative:\*\* CREATE INDEX CONCURRENTLY/);
    expect(markdown).toMatch(/\[Rule documentation\]\(file:\/\/.*create-index-without-concurrently\.md\)/);
    // And how the runner executes it: no framework is recognised from this path, so psql's way is assumed.
    expect(markdown).toMatch(/Runs as: no migration framework recognised.*This statement runs on its own \(autocommit\)/);

    const nothing: Hover | null = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 3 } });
    expect(nothing).toBeNull();
  });

  it('re-analyses on change: applying the fix clears the diagnostic; wrapping it in BEGIN … COMMIT flags CONCURRENTLY', async () => {
    const uri = 'file:///migrations/003_change.sql';
    await open(uri, INCIDENT);
    await client.diagnostics(uri, (params) => params.version === 1);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 12 } }, text: ' CONCURRENTLY IF NOT EXISTS' }],
    });
    expect((await client.diagnostics(uri, (params) => params.version === 2)).diagnostics).toEqual([]);

    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [
        { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'COMMIT;\n' },
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'BEGIN;\n' },
      ],
    });
    const { diagnostics } = await client.diagnostics(uri, (params) => params.version === 3);
    expect(diagnostics.map((d) => d.code)).toEqual(['concurrently-in-transaction']);
    expect(diagnostics[0]!.range.start).toEqual({ line: 2, character: 13 });
  });

  it('points at the earlier statement whose lock is still held, as related information', async () => {
    const uri = 'file:///migrations/007_accumulation.sql';
    await open(uri, 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nCOMMIT;\n');
    const { diagnostics } = await client.diagnostics(uri);
    const held = diagnostics.find((d) => d.code === 'lock-held-across-slow-statement');
    expect(held?.relatedInformation).toEqual([
      {
        location: { uri, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 39 } } },
        message: 'ACCESS EXCLUSIVE on orders taken here; held until COMMIT',
      },
    ]);
  });

  it('debounces a burst of keystrokes and publishes the final version', async () => {
    const uri = 'file:///migrations/004_typing.sql';
    await open(uri, '');
    await client.diagnostics(uri, (params) => params.version === 1);
    const statement = 'CREATE INDEX i ON orders (a);';
    for (let i = 0; i < statement.length; i++) {
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: i + 2 },
        contentChanges: [{ range: { start: { line: 0, character: i }, end: { line: 0, character: i } }, text: statement[i] }],
      });
    }
    const finalVersion = statement.length + 1;
    const final = await client.diagnostics(uri, (params) => params.version === finalVersion);
    expect(final.diagnostics.map((d) => d.code)).toEqual(['create-index-without-concurrently']);
    const publishedWhileTyping = client.published.filter((params) => params.uri === uri && (params.version ?? 0) > 1);
    expect(publishedWhileTyping.length).toBeLessThan(statement.length / 2);
  });

  it('reports UTF-16 positions after emoji and accents', async () => {
    const uri = 'file:///migrations/005_unicode.sql';
    await open(uri, "SELECT '🚀 café'; CREATE INDEX i ON orders (a);");
    const { diagnostics } = await client.diagnostics(uri);
    // 🚀 is two UTF-16 code units: "SELECT '🚀 café'; " is 18 units long.
    expect(diagnostics[0]!.range).toEqual({ start: { line: 0, character: 18 }, end: { line: 0, character: 30 } });
  });

  it('survives binary junk and keeps serving other documents', async () => {
    const junk = 'file:///migrations/junk.sql';
    await open(junk, '\u0000\u0001\u00ff\ufffd\'"$$ /* \u0007');
    const { diagnostics } = await client.diagnostics(junk);
    expect(diagnostics.length).toBeGreaterThan(0);
    const uri = 'file:///migrations/006_after_junk.sql';
    await open(uri, INCIDENT);
    expect((await client.diagnostics(uri)).diagnostics).toHaveLength(1);
  });

  it('tells the client the analysis state for its status bar', () => {
    const states = client.notifications.filter((n) => n.method === 'lockguard/analysisState').map((n) => n.params);
    expect(states).toContainEqual({ uri: 'file:///migrations/002_index.sql', state: 'analysing', errors: 0, warnings: 0, infos: 0 });
    expect(states).toContainEqual({ uri: 'file:///migrations/002_index.sql', state: 'done', errors: 1, warnings: 0, infos: 0 });
    // Opening a document analyses it once, not once for didOpen and again for its first content change.
    expect(states.filter((state) => (state as { uri: string }).uri === 'file:///migrations/002_index.sql')).toHaveLength(2);
  });

  it('clears diagnostics when a document closes', async () => {
    const uri = 'file:///migrations/002_index.sql';
    const before = client.published.length;
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const cleared = await client.diagnostics(uri, (params) => params.diagnostics.length === 0 && client.published.indexOf(params) >= before);
    expect(cleared.diagnostics).toEqual([]);
  });
});
