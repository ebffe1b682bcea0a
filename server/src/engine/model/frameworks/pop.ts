import { baseName, wholeFile, type Framework } from './framework';
import { freeVersionAfter, statementSql, undoSql, versionTaken } from './next-migration';

/**
 * pop / ory popx: `<version>_<name>[.<dialect>][.autocommit].up.sql` / `.down.sql`, each in a
 * transaction; `.autocommit.` in the name runs it without one.
 */
export const pop: Framework = {
  id: 'pop',
  afterCommit: 'new-transaction',
  name: 'pop',
  optOut: 'Put the statement in a migration of its own named `….autocommit.up.sql` (popx runs those without a transaction).',
  recognise(file) {
    const match = /^\d+_[^.]+(?:\.(?:postgres|cockroach|mysql|sqlite3))?(\.autocommit)?\.(up|down)\.sql$/.exec(baseName(file.path));
    if (!match || !/\.(postgres|cockroach|mysql|sqlite3|autocommit)\./.test(baseName(file.path))) return undefined;
    return {
      evidence: `the file name ${baseName(file.path)}`,
      sections: wholeFile(file.source, match[2] === 'up' ? 'up' : 'down', match[1] ? 'none' : 'transaction'),
    };
  },
  newMigration(file, statement) {
    const match = /^(\d+)_[^.]+((?:\.(?:postgres|cockroach|mysql|sqlite3))?)/.exec(baseName(file.path))!;
    const next = freeVersionAfter(match[1]!, versionTaken(file.siblings()));
    const suffix = `${match[2]}${statement.outsideTransaction ? '.autocommit' : ''}`;
    return {
      files: [
        { path: `${next}_${statement.name}${suffix}.up.sql`, text: statementSql(statement) },
        { path: `${next}_${statement.name}${suffix}.down.sql`, text: undoSql(statement) },
      ],
    };
  },
};
