import { baseName, wholeFile, type Framework } from './framework';
import { freeVersionAfter, statementSql, undoSql, versionTaken } from './next-migration';

/**
 * golang-migrate: `<version>_<title>.up.sql` / `.down.sql`, sent to PostgreSQL as one query (an implicit
 * transaction when the file holds more than one statement); the file's own BEGIN … COMMIT is the usual way.
 */
export const golangMigrate: Framework = {
  id: 'golang-migrate',
  afterCommit: 'new-transaction',
  name: 'golang-migrate',
  optOut: 'Move the statement into a migration file of its own: a single-statement file runs outside a transaction (or enable x-multi-statement).',
  recognise(file) {
    const match = /^\d+_.+\.(up|down)\.sql$/.exec(baseName(file.path));
    if (!match) return undefined;
    return { evidence: `the file name ${baseName(file.path)}`, sections: wholeFile(file.source, match[1] === 'up' ? 'up' : 'down', 'one-query') };
  },
  // A file of one statement is one query without an implicit transaction: the way out for CONCURRENTLY.
  newMigration(file, statement) {
    const version = /^(\d+)_/.exec(baseName(file.path))![1]!;
    const next = freeVersionAfter(version, versionTaken(file.siblings()));
    return {
      files: [
        { path: `${next}_${statement.name}.up.sql`, text: statementSql(statement) },
        { path: `${next}_${statement.name}.down.sql`, text: undoSql(statement) },
      ],
    };
  },
};
