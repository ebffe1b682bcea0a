import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PROJECT_ROOT } from '../helpers/lsp-client';

const vsce = (...args: string[]) =>
  spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' });

describe('the .vsix', () => {
  it('holds the bundles, the parser, snippets, grammar and rule docs, and no sources or tests', () => {
    const listing = vsce('ls', '--no-dependencies');
    expect(listing.status, listing.stderr).toBe(0);
    const files = listing.stdout.trim().split('\n').sort();
    expect(files).toEqual(
      expect.arrayContaining(['dist/client.js', 'dist/server.js', 'dist/cli.js', 'dist/libpg-query.wasm', 'dist/pglite/dist/index.cjs', 'dist/pglite/dist/pglite.wasm', 'dist/pglite/dist/pglite.data', 'dist/pglite/package.json', 'snippets/sql.json', 'docs/rules/create-index-without-concurrently.md', 'package.json', 'README.md', 'lockguard.schema.json']),
    );
    expect(files.filter((file) => /^(client|server|test|node_modules)\/|\.ts$/.test(file))).toEqual([]);
  });

  it('packages with vsce on Node 20', () => {
    const directory = mkdtempSync(join(tmpdir(), 'lockguard-vsix-'));
    const out = join(directory, 'lockguard.vsix');
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    const result = vsce('package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--skip-license', '--out', out);
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/Packaged: .*lockguard\.vsix/);
  });
});
