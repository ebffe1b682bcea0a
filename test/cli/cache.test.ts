import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockguard, scratchDirectory } from './run-cli';

/**
 * `lockguard lint`'s cache (server/src/cli/cache.ts), through the real CLI: what a run took from the
 * cache is read from the line `LOCKGUARD_DEBUG=cache` prints on stderr, never from timings.
 */
const scratch = scratchDirectory('cache');
const DEBUG = { LOCKGUARD_DEBUG: 'cache' };

/** A project folder of its own, run from its root as a developer would: `lockguard lint migrations`. */
function project(name: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) scratch.write(join(name, path), text);
  const root = join(scratch.root, name);
  return {
    root,
    write: (path: string, text: string) => writeFileSync(join(root, path), text),
    lint: (...args: string[]) => {
      const run = lockguard(['lint', ...args], { cwd: root, env: DEBUG });
      const stats = /lockguard: cache: (\d+) of (\d+) files from \.lockguard-cache, (\d+) linted/.exec(run.stderr);
      return { ...run, fromCache: stats ? Number(stats[1]) : undefined, linted: stats ? Number(stats[3]) : undefined };
    },
  };
}

const INDEX = 'CREATE INDEX orders_note_idx ON orders (note);\n';
const CLEAN = 'ALTER TABLE orders ADD COLUMN note text;\n';

describe('the lint cache', () => {
  it('gives the same output from the cache, in every format, and lints no file again', () => {
    const app = project('same-output', { 'migrations/001_note.sql': CLEAN, 'migrations/002_index.sql': INDEX });
    for (const format of ['text', 'json', 'sarif', 'github', 'gitlab']) {
      rmSync(join(app.root, '.lockguard-cache'), { recursive: true, force: true });
      const cold = app.lint('--format', format, 'migrations');
      expect(cold, format).toMatchObject({ code: 1, fromCache: 0, linted: 2 });
      const warm = app.lint('--format', format, 'migrations');
      expect(warm, format).toMatchObject({ code: 1, fromCache: 2, linted: 0 });
      expect(warm.stdout, format).toBe(cold.stdout);
    }
    // The folder ignores itself for git.
    expect(readFileSync(join(app.root, '.lockguard-cache', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('lints again a file whose text changed, and only that file', () => {
    // Timestamped, as most tools name them: files numbered 1, 2, 3, … are read by each other, for
    // postgres-migrations' disable-transaction marker, and then rightly linted again together.
    const app = project('edited', { 'migrations/20240101120000_note.sql': CLEAN, 'migrations/20240102120000_index.sql': INDEX });
    expect(app.lint('migrations')).toMatchObject({ code: 1, linted: 2 });
    app.write('migrations/20240102120000_index.sql', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n');
    expect(app.lint('migrations')).toMatchObject({ code: 0, fromCache: 1, linted: 1 });
  });

  it('lints again the later migrations of a set when an earlier one changes', () => {
    // Whether the default is volatile is known from the function the earlier migration declares.
    const declare = (volatility: string) => `CREATE FUNCTION next_code() RETURNS int LANGUAGE sql ${volatility} AS 'SELECT 1';\n`;
    const app = project('earlier', { 'migrations/001_function.sql': declare('STABLE'), 'migrations/002_code.sql': 'ALTER TABLE orders ADD COLUMN code int DEFAULT next_code();\n' });
    const rules = (run: { stdout: string }) => (JSON.parse(run.stdout) as { file: string; rule: string }[]).filter((finding) => finding.file.endsWith('002_code.sql')).map((finding) => finding.rule);
    const stable = app.lint('--format', 'json', 'migrations');
    expect(rules(stable)).not.toContain('add-column-volatile-default');
    app.write('migrations/001_function.sql', declare('VOLATILE'));
    const volatile = app.lint('--format', 'json', 'migrations');
    expect(volatile).toMatchObject({ fromCache: 0, linted: 2 });
    expect(rules(volatile)).toContain('add-column-volatile-default');
  });

  it('lints again a file whose fix names a new migration when the folder gains one', () => {
    const app = project('listing', { 'db/20240101000000_note.sql': `-- +goose Up\n${CLEAN}${INDEX}` });
    const createdFile = (run: { stdout: string }) =>
      (JSON.parse(run.stdout) as { rule: string; fixes: { createFiles?: { path: string }[] }[] }[]).find((finding) => finding.rule === 'create-index-without-concurrently')!.fixes[0]!.createFiles![0]!.path;
    expect(createdFile(app.lint('--format', 'json', 'db'))).toBe('20240101000001_create_index_orders_note_idx_orders.sql');
    // Taken by then: the fix's migration must come after it.
    app.write('db/20240101000001_other.sql', 'SELECT 1;\n');
    const again = app.lint('--format', 'json', 'db');
    expect(again).toMatchObject({ fromCache: 0, linted: 2 });
    expect(createdFile(again)).toBe('20240101000002_create_index_orders_note_idx_orders.sql');
  });

  it('lints again when the settings change', () => {
    const app = project('settings', { 'migrations/001_index.sql': INDEX });
    expect(app.lint('migrations')).toMatchObject({ code: 1, linted: 1 });
    expect(app.lint('--rule', 'create-index-without-concurrently=off', 'migrations')).toMatchObject({ code: 0, fromCache: 0, linted: 1 });
    app.write('lockguard.json', JSON.stringify({ rules: { 'create-index-without-concurrently': 'warning' } }));
    expect(app.lint('migrations')).toMatchObject({ code: 0, fromCache: 0, linted: 1 });
  });

  it('takes a corrupt or unreadable entry for a miss, without failing the run', () => {
    const app = project('corrupt', { 'migrations/001_note.sql': CLEAN, 'migrations/002_index.sql': INDEX });
    const cold = app.lint('--format', 'json', 'migrations');
    const entries = join(app.root, '.lockguard-cache', 'files');
    const files = readdirSync(entries, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(2);
    writeFileSync(join(entries, files[0]!), '{"format":1,"key":');
    writeFileSync(join(entries, files[1]!), JSON.stringify({ ...JSON.parse(readFileSync(join(entries, files[1]!), 'utf8')), findings: [{ ruleId: 'x' }] }));
    const again = app.lint('--format', 'json', 'migrations');
    expect(again).toMatchObject({ code: 1, fromCache: 0, linted: 2, stdout: cold.stdout });
  });

  it('is neither read nor written with --no-cache, for files named one by one, or with --fix-dry-run', () => {
    const app = project('off', { 'migrations/001_index.sql': INDEX });
    for (const args of [['--no-cache', 'migrations'], ['migrations/001_index.sql'], ['--fix-dry-run', 'migrations']]) {
      const run = app.lint(...args);
      expect(run.code, args.join(' ')).not.toBe(2);
      expect(run.fromCache, args.join(' ')).toBeUndefined();
      expect(existsSync(join(app.root, '.lockguard-cache')), args.join(' ')).toBe(false);
    }
  });
});
