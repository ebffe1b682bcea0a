/**
 * `lockguard lint --fix` and `--fix-dry-run` on copies of real migrations from the shared corpus:
 * each finding's preferred (verified) fix is written, new migrations are created the framework's
 * way, and what is left decides the exit code.
 */
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus';
import { lockguard, scratchDirectory } from './run-cli';

const GOOSE = join(CORPUS, 'frameworks', 'goose-openfga', 'assets', 'migrations', 'postgres');
const TEMPORAL_INDEX = join(CORPUS, 'temporal', 'schema', 'postgresql', 'v12', 'visibility', 'versioned', 'v1.1', 'index.sql');

describe.skipIf(!HAS_CORPUS)('lockguard lint --fix', () => {
  const scratch = scratchDirectory('fix');

  it('in a goose migration (one transaction) whose only statement is CREATE INDEX: CONCURRENTLY in place, under NO TRANSACTION', () => {
    const folder = join(scratch.root, 'goose');
    scratch.write('goose/.keep', '');
    for (const name of readdirSync(GOOSE)) copyFileSync(join(GOOSE, name), join(folder, name));
    const original = readFileSync(join(folder, '003_add_reverse_lookup_index.sql'), 'utf8');

    // Moved into a new migration, the statement would leave 003's Up section empty: it stays, and goose runs the file without a transaction.
    const dryRun = lockguard(['lint', '--fix-dry-run', 'goose/003_add_reverse_lookup_index.sql'], { cwd: scratch.root });
    expect(dryRun.stdout).toContain('--- a/goose/003_add_reverse_lookup_index.sql');
    expect(dryRun.stdout).toContain('+-- +goose NO TRANSACTION\n');
    expect(dryRun.stdout).toContain('-CREATE INDEX idx_reverse_lookup_user on tuple');
    expect(dryRun.stdout).toContain('+CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_reverse_lookup_user on tuple');
    expect(dryRun.stdout).not.toContain('--- /dev/null');
    // A dry run writes nothing.
    expect(readFileSync(join(folder, '003_add_reverse_lookup_index.sql'), 'utf8')).toBe(original);

    const fixed = lockguard(['lint', '--fix', 'goose/003_add_reverse_lookup_index.sql'], { cwd: scratch.root });
    expect(fixed.stderr).toMatch(/fixed goose\/003_add_reverse_lookup_index\.sql: create-index-without-concurrently: /);
    expect(fixed.code).toBe(0);
    expect(readFileSync(join(folder, '003_add_reverse_lookup_index.sql'), 'utf8')).toMatch(/^-- \+goose NO TRANSACTION\n-- \+goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_reverse_lookup_user on tuple/);
    expect(readdirSync(folder).filter((name) => name.endsWith('.sql')).sort()).toEqual(readdirSync(GOOSE).sort());
    expect(lockguard(['lint', 'goose/003_add_reverse_lookup_index.sql'], { cwd: scratch.root })).toMatchObject({ code: 0 });
  });

  it('in a plain file (statement by statement), rewrites CREATE INDEX in place and leaves no error', () => {
    scratch.write('plain/index.sql', readFileSync(TEMPORAL_INDEX, 'utf8'));
    const before = lockguard(['lint', '--format', 'json', 'plain/index.sql'], { cwd: scratch.root });
    expect(before.code).toBe(1);
    const errorsBefore = (JSON.parse(before.stdout) as { severity: string }[]).filter((finding) => finding.severity === 'error').length;
    expect(errorsBefore).toBeGreaterThan(0);

    const fixed = lockguard(['lint', '--fix', '--format', 'json', 'plain/index.sql'], { cwd: scratch.root });
    const left = JSON.parse(fixed.stdout) as { rule: string; severity: string }[];
    expect(left.filter((finding) => finding.rule === 'create-index-without-concurrently')).toEqual([]);
    expect(left.filter((finding) => finding.severity === 'error').length).toBeLessThan(errorsBefore);
    expect(readFileSync(join(scratch.root, 'plain/index.sql'), 'utf8')).toMatch(/CREATE INDEX CONCURRENTLY IF NOT EXISTS by_close_time_by_status/);
    // Exit code by what is left.
    expect(fixed.code).toBe(left.some((finding) => finding.severity === 'error') ? 1 : 0);
  });
});
