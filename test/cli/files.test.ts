import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSqlFiles } from '../../server/src/cli/files';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { globBase, globToRegExp } from '../../server/src/cli/glob';
import { lockguard, scratchDirectory } from './run-cli';

const scratch = scratchDirectory('files');
for (const name of [
  'db/migrations/001_init.sql',
  'db/migrations/002_index.SQL',
  'db/migrations/legacy/000_old.sql',
  'db/migrations/notes.md',
  'db/seeds/seed.sql',
  'db/seeds/down/seed.down.sql',
  'db/node_modules/dep/x.sql',
  'top.sql',
]) {
  scratch.write(name, 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\n');
}
/**
 * Collects from the scratch root, as the CLI does from its working directory, and lists paths with `/`;
 * `exclude` goes into a lockguard.json at the root for the duration of the call.
 */
const collect = (paths: string[], exclude?: string[]) => {
  const cwd = process.cwd();
  const config = exclude && scratch.write('lockguard.json', JSON.stringify({ exclude }));
  const resolver = new ConfigResolver([]);
  process.chdir(scratch.root);
  try {
    const { files, problems } = collectSqlFiles(paths, { isExcluded: (path) => resolver.isExcluded(path) });
    return { files: files.map((file) => file.split('\\').join('/')), problems };
  } finally {
    process.chdir(cwd);
    if (config) rmSync(config);
  }
};

describe('collecting the files to lint', () => {
  it('searches directories recursively for .sql (any case), skipping node_modules, in a stable order', () => {
    expect(collect(['db'])).toEqual({
      files: ['db/migrations/001_init.sql', 'db/migrations/002_index.SQL', 'db/migrations/legacy/000_old.sql', 'db/seeds/down/seed.down.sql', 'db/seeds/seed.sql'],
      problems: [],
    });
  });

  it('lints a file named explicitly whatever its extension, once even when named twice', () => {
    expect(collect(['db/migrations/notes.md', './top.sql', 'top.sql']).files).toEqual(['db/migrations/notes.md', 'top.sql']);
  });

  it('expands globs as a shell would: anchored where written, * within a segment, ** across, {a,b} and [classes]', () => {
    expect(collect(['db/migrations/*.sql']).files).toEqual(['db/migrations/001_init.sql']);
    expect(collect(['db/**/*.sql']).files).toEqual(['db/migrations/001_init.sql', 'db/migrations/legacy/000_old.sql', 'db/seeds/down/seed.down.sql', 'db/seeds/seed.sql']);
    expect(collect(['*.sql']).files).toEqual(['top.sql']);
    expect(collect(['db/{seeds,migrations/legacy}/*.sql']).files).toEqual(['db/migrations/legacy/000_old.sql', 'db/seeds/seed.sql']);
    expect(collect(['db/migrations/00[!1]_*.{sql,SQL}']).files).toEqual(['db/migrations/002_index.SQL']);
    expect(collect([join(scratch.root, 'db', 'seeds', '**', '*.down.sql')]).files).toEqual([join(scratch.root, 'db/seeds/down/seed.down.sql')]);
  });

  it('reports a path that does not exist, and a glob whose base directory does not', () => {
    expect(collect(['nope.sql', 'nowhere/**/*.sql']).problems).toEqual(['cannot read nope.sql: no such file or directory', 'cannot read nowhere/**/*.sql: no such file or directory']);
  });

  describe('with exclude patterns in lockguard.json, relative to its directory', () => {
    it('a pattern with a slash matches from the root; a directory pattern drops everything below it', () => {
      expect(collect(['db'], ['db/migrations/legacy']).files).not.toContain('db/migrations/legacy/000_old.sql');
      expect(collect(['db'], ['/db/seeds/']).files).toEqual(['db/migrations/001_init.sql', 'db/migrations/002_index.SQL', 'db/migrations/legacy/000_old.sql']);
      expect(collect(['db'], ['db/migrations/0*.sql']).files).toEqual(['db/migrations/002_index.SQL', 'db/migrations/legacy/000_old.sql', 'db/seeds/down/seed.down.sql', 'db/seeds/seed.sql']);
    });

    it('a pattern without a slash matches a file or directory name at any depth', () => {
      expect(collect(['db'], ['*.down.sql', 'legacy']).files).toEqual(['db/migrations/001_init.sql', 'db/migrations/002_index.SQL', 'db/seeds/seed.sql']);
    });

    it('applies to files named explicitly and to globs too', () => {
      expect(collect(['db/migrations/legacy/000_old.sql', 'db/**/*.sql'], ['legacy', 'seeds']).files).toEqual(['db/migrations/001_init.sql']);
    });
  });

  it('translates glob syntax to a regular expression, and finds the directory to search', () => {
    expect(globToRegExp('a/**/b.sql').test('a/b.sql')).toBe(true);
    expect(globToRegExp('a/**/b.sql').test('a/x/y/b.sql')).toBe(true);
    expect(globToRegExp('a/*.sql').test('a/x/b.sql')).toBe(false);
    expect(globToRegExp('a/**').test('a/x/y.sql')).toBe(true);
    expect(globToRegExp('m?.sql').test('m1.sql')).toBe(true);
    expect(globToRegExp('v1.{0,1{a,b}}.sql').test('v1.1b.sql')).toBe(true);
    expect(globToRegExp('v1.sql').test('v1xsql')).toBe(false);
    expect(globBase('db/**/*.sql')).toBe('db');
    expect(globBase('*.sql')).toBe('.');
    expect(globBase('/abs/*/x.sql')).toBe('/abs');
  });
});

describe('lockguard lint with a glob', () => {
  it('lints what the glob matches, relative to the working directory', () => {
    const { code, stdout } = lockguard(['lint', '--format', 'json', 'db/**/seed*.sql'], { cwd: scratch.root });
    expect(code).toBe(0);
    expect(stdout).toBe('[]\n');
    // Like a directory, a glob selects .sql files only, in any letter case.
    const text = lockguard(['lint', 'db/migrations/*'], { cwd: scratch.root });
    expect(text.stdout).toContain('✔ No problems found in 2 files.');
  });

  it('exits 2 when a glob matches no .sql file at all', () => {
    expect(lockguard(['lint', 'db/**/*.pgsql'], { cwd: scratch.root })).toMatchObject({ code: 2, stderr: expect.stringContaining('no .sql files found in db/**/*.pgsql') });
  });
});
