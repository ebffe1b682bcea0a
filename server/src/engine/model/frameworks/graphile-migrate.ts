import { wholeFile, type Framework } from './framework';
import { statementSql } from './next-migration';

/** A committed migration: its `--! Hash:` covers its text. */
const COMMITTED = /(^|\/)migrations\/committed\/[^/]+\.sql$/;

/**
 * graphile-migrate: `migrations/committed/<n>.sql` (with `--! Previous:`/`--! Hash:` headers) and
 * `migrations/current.sql`, each sent as one query in a transaction; `--! no-transaction` drops the
 * wrapping, but the one query still makes several statements one implicit transaction.
 */
export const graphileMigrate: Framework = {
  id: 'graphile-migrate',
  afterCommit: 'new-transaction',
  name: 'graphile-migrate',
  optOut: 'Put the statement alone in a migration whose first line is `--! no-transaction` (graphile-migrate sends the file as one query, so it must be the only statement).',
  recognise(file) {
    const committed = /(^|\/)migrations\/committed\/\d+[^/]*\.sql$/.test(file.path);
    const current = /(^|\/)migrations\/current(\.sql|\/[^/]+\.sql)$/.test(file.path);
    if (!committed && !current && !/^--! (Previous|Hash): sha1:/m.test(file.source)) return undefined;
    if (/^--! no-transaction\b/m.test(file.source)) return { evidence: 'the graphile-migrate layout and `--! no-transaction`', sections: wholeFile(file.source, 'up', 'one-query') };
    return { evidence: 'the graphile-migrate layout (migrations/committed, --! headers)', sections: wholeFile(file.source, 'up', 'transaction') };
  },
  // Work in progress goes to migrations/current.sql, which `graphile-migrate commit` turns into the next committed migration.
  newMigration(file, statement) {
    if (!COMMITTED.test(file.path)) {
      return 'graphile-migrate has one current migration: commit this one first (`graphile-migrate commit`), then put the statement alone in the new current.sql under `--! no-transaction`.';
    }
    if (file.siblings('..').some((name) => name === 'current.sql' || name === 'current')) {
      return 'migrations/current.sql already exists: commit it first, then put the statement alone in the new current.sql under `--! no-transaction`.';
    }
    const header = statement.outsideTransaction ? '--! no-transaction\n' : '';
    return { files: [{ path: '../current.sql', text: `${header}${statementSql(statement)}` }] };
  },
  sealed(path) {
    if (!COMMITTED.test(path)) return undefined;
    return (
      "graphile-migrate checks a committed migration's `--! Hash:` before running it, so an edit here fails on every new database " +
      '("Hash … does not match"), and databases that already ran it never see the change. Make the change in migrations/current.sql.'
    );
  },
  withoutTransaction(file) {
    if (COMMITTED.test(file.path)) {
      return "A committed migration's hash covers its text, so Lockguard does not mark it `--! no-transaction`: apply this statement by hand, outside graphile-migrate.";
    }
    return { inserts: [{ at: 0, text: '--! no-transaction\n' }], files: [], how: '`--! no-transaction`' };
  },
};
