import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspTestClient } from '../helpers/lsp-client';

const project = mkdtempSync(join(tmpdir(), 'lockguard-lsp-config-'));
const configPath = join(project, 'lockguard.json');
const migrations = join(project, 'db', 'migrations');
const migration = join(migrations, '002_index.sql');
const legacy = join(migrations, 'legacy', '001_old.sql');
const uriOf = (path: string) => pathToFileURL(path).href;
const INCIDENT = 'CREATE INDEX orders_customer_id_idx ON orders (customer_id);\n';

describe('the language server honours lockguard.json, as the CLI does', () => {
  let client: LspTestClient;

  beforeAll(async () => {
    mkdirSync(join(migrations, 'legacy'), { recursive: true });
    writeFileSync(configPath, JSON.stringify({ rules: { 'create-index-without-concurrently': 'warning' }, exclude: ['db/migrations/legacy/**'] }));
    for (const path of [migration, legacy]) writeFileSync(path, INCIDENT);
    client = LspTestClient.start(['bin/lockguard.js', 'lsp', '--stdio']);
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(project),
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    });
    await client.connection.sendNotification('initialized', {});
  });

  afterAll(async () => {
    await client.stop();
    rmSync(project, { recursive: true, force: true });
  });

  const open = (path: string) =>
    client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(path), languageId: 'sql', version: 1, text: INCIDENT } });
  const changedConfig = async (content: string) => {
    writeFileSync(configPath, content);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(configPath), type: 2 }] });
  };

  it('applies the configured severity and registers a watcher for the project file', async () => {
    await open(migration);
    const { diagnostics } = await client.diagnostics(uriOf(migration));
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['create-index-without-concurrently', 2]]);
    expect(client.registrations).toContainEqual(
      expect.objectContaining({ method: 'workspace/didChangeWatchedFiles', registerOptions: { watchers: [{ globPattern: '**/lockguard.json' }, { globPattern: '**/*.sql' }, { globPattern: '**/sqitch.plan' }] } }),
    );
  });

  it('does not lint excluded files', async () => {
    await open(legacy);
    expect((await client.diagnostics(uriOf(legacy))).diagnostics).toEqual([]);
  });

  it('updates open diagnostics when the project file changes', async () => {
    const before = client.published.length;
    await changedConfig(JSON.stringify({ rules: { 'create-index-without-concurrently': 'off' } }));
    const after = await client.diagnostics(uriOf(migration), (params) => client.published.indexOf(params) >= before);
    expect(after.diagnostics).toEqual([]);
  });

  it('shows a broken project file on the file itself and falls back to the defaults', async () => {
    const before = client.published.length;
    await changedConfig('{ "rules": { "create-index-without-concurency": "off" } }');
    const onConfig = await client.diagnostics(uriOf(configPath), (params) => params.diagnostics.length > 0);
    expect(onConfig.diagnostics[0]!.message).toMatch(/not a Lockguard rule \(did you mean "create-index-without-concurrently"\?\)\. Lockguard ignores this file until it is fixed\./);
    const fallback = await client.diagnostics(uriOf(migration), (params) => client.published.indexOf(params) >= before && params.diagnostics.length > 0);
    expect(fallback.diagnostics.map((d) => [d.code, d.severity])).toEqual([['create-index-without-concurrently', 1]]);
  });
});
