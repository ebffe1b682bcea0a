import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS } from '../../../../../test/helpers/corpus';
import { findingsOf } from '../../../../../test/helpers/lint';
import { dieselVersionAfter, freeDieselVersionAfter } from './next-migration';

describe('dieselVersionAfter', () => {
  it.each([
    ['YYYY-MM-DD-HHMMSS', '2019-02-26-002946', '2019-02-26-002947'],
    ['YYYY-MM-DD-HHMMSS at the end of a day', '2019-12-31-235959', '2020-01-01-000000'],
    ["diesel 2's YYYY-MM-DD-HHMMSS-NNNN, the suffix kept", '2026-07-30-140000-0000', '2026-07-30-140001-0000'],
    ["lemmy's YYYY-MM-DD-NNNNNN counter, past what a time allows", '2025-08-01-000060', '2025-08-01-000061'],
    ['digits that are no date', '2024-13-01-000000', '2024-13-01-000001'],
    ['YYYYMMDDHHMMSS', '20140924113530', '20140924113531'],
    ["diesel's initial setup", '00000000000000', '00000000000001'],
  ])('%s: %s is followed by %s', (_format, version, next) => {
    expect(dieselVersionAfter(version)).toBe(next);
  });

  it.each([['9999-99-99-999999'], ['2024-01-01'], ['2024-01-01-000000-00'], ['--'], ['2024-01-01-00000a']])('%s has no next version, and does not throw', (version) => {
    expect(dieselVersionAfter(version)).toBeUndefined();
  });
});

/** diesel migration folders of real projects, with the shared corpus beside the repository. */
const projects = ['crates.io', 'lemmy']
  .map((project) => join(CORPUS, project, 'migrations'))
  .filter((folder) => existsSync(folder))
  .map((folder) => ({ folder, names: readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name) }));

describe.skipIf(projects.length === 0)('the next version after every real diesel migration (crates.io, lemmy)', () => {
  it.each(projects)('$folder', ({ names }) => {
    const versions = names.map((name) => /^([\d-]+)_/.exec(name)![1]!);
    // The corpus holds every format: the initial setup, YYYYMMDDHHMMSS, YYYY-MM-DD-HHMMSS and diesel 2's suffix.
    for (const version of versions) {
      const next = freeDieselVersionAfter(version, names);
      expect(next, version).toBeDefined();
      expect(next! > version, `${next} sorts after ${version}`).toBe(true);
      expect(next!.length, version).toBe(version.length);
      expect(versions, version).not.toContain(next);
    }
  });

  it.skipIf(!projects[0]?.folder.includes('crates.io'))("crates.io's newest migration: the CONCURRENTLY index moves into a folder named one second later", () => {
    const { names } = projects[0]!;
    // Beside another statement: alone, it stays, under a metadata.toml of its own (review 4, #20; rules/fixes/in-place-opt-out.test.ts).
    const source = 'ALTER TABLE users ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS index_users_canon_username\nON users (canon_username(username))\n';
    const [finding] = findingsOf('concurrently-in-transaction', source, {
      filePath: 'migrations/2026-07-30-140000-0000_add_users_username_index/up.sql',
      listSiblings: (folder = '.') => (folder === '..' ? names : ['up.sql', 'down.sql']),
    });
    expect(finding?.severity).toBe('error');
    expect(finding?.fixes[0]?.createFiles?.map((file) => file.path)).toEqual([
      '../2026-07-30-140001-0000_create_index_index_users_canon_username_users/up.sql',
      '../2026-07-30-140001-0000_create_index_index_users_canon_username_users/down.sql',
      '../2026-07-30-140001-0000_create_index_index_users_canon_username_users/metadata.toml',
    ]);
    // Alone in up.sql (as in crates.io), moving it would leave up.sql empty, which diesel refuses to run.
    const [alone] = findingsOf('concurrently-in-transaction', source.slice(source.indexOf('CREATE')), {
      filePath: 'migrations/2026-07-30-140000-0000_add_users_username_index/up.sql',
      listSiblings: (folder = '.') => (folder === '..' ? names : ['up.sql', 'down.sql']),
    });
    expect(alone?.fixes[0]?.edits).toEqual([]);
    expect(alone?.fixes[0]?.createFiles).toEqual([{ path: 'metadata.toml', text: 'run_in_transaction = false\n' }]);
  });
});

it('a diesel folder whose version is none of its formats gets no fix, with the reason', () => {
  const [finding] = findingsOf('concurrently-in-transaction', 'ALTER TABLE users ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY users_name_idx ON users (name);', {
    filePath: 'migrations/2024-01_add_index/up.sql',
  });
  expect(finding?.ruleId).toBe('concurrently-in-transaction');
  expect(finding?.fixes).toEqual([]);
  expect(finding?.message).not.toMatch(/Internal error/);
});
