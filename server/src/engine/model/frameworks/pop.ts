import { baseName, wholeFile, type Framework } from './framework';
import { freeVersionAfter, statementSql, undoSql, versionTaken } from './next-migration';

/**
 * pop / ory popx: `<version>_<name>[.<dialect>][.autocommit].up.sql` / `.down.sql`, each in a
 * transaction; `.autocommit.` in the name runs it without one, sent as one query (ory/x popx
 * `autoCommitRunner`): one implicit transaction when the file holds more than one statement. A file for another database
 * (`.mysql.`, `.sqlite3.`, `.cockroach.`), or a dialect-neutral one that a same-version PostgreSQL
 * file replaces, never runs on PostgreSQL (docs/frameworks.md).
 */
const DATABASES: Readonly<Record<string, string>> = { cockroach: 'CockroachDB', mysql: 'MySQL', sqlite3: 'SQLite' };

/** For a dialect-neutral file: which same-version PostgreSQL file popx runs on PostgreSQL in its place (ory/x popx `SortAndFilter`). */
function replacedBy(name: string, siblings: readonly string[]): string | undefined {
  const existing = postgresCounterpart(name, siblings)?.existing;
  return existing && `which popx runs only on databases without a file of their own for its version: on PostgreSQL it runs ${existing} instead`;
}

export const pop: Framework = {
  id: 'pop',
  afterCommit: 'new-transaction',
  name: 'pop',
  optOut: 'Put the statement alone in a migration of its own named `….autocommit.up.sql`: popx sends such a file as one query without a transaction, so its only statement runs outside one.',
  recognise(file) {
    const name = baseName(file.path);
    const match = /^\d+_[^.]+(?:\.(postgres|cockroach|mysql|sqlite3))?(\.autocommit)?\.(up|down)\.sql$/.exec(name);
    if (!match) return undefined;
    // A name without a tag is golang-migrate's too: it is pop's in a folder whose other files name their database.
    const tagged = (candidate: string) => /\.(postgres|cockroach|mysql|sqlite3|autocommit)\.(up|down)\.sql$/.test(candidate);
    if (!tagged(name) && !file.listSiblings().some(tagged)) return undefined;
    const [, dialect, autocommit, direction] = match;
    const elsewhere = dialect ? (dialect === 'postgres' ? undefined : `written for ${DATABASES[dialect]}`) : replacedBy(name, file.listSiblings());
    if (elsewhere) return { evidence: `the file name ${name}, ${elsewhere}`, sections: wholeFile(file.source, 'other-database', 'none') };
    return { evidence: `the file name ${name}`, sections: wholeFile(file.source, direction === 'up' ? 'up' : 'down', autocommit ? 'one-query' : 'transaction') };
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

/**
 * popx runs a migration named without a database (`<version>_<name>[.autocommit].up.sql`) on every
 * database the project supports that has no file of its own for that version: of the files of one
 * version, a database's own replaces the dialect-neutral one (ory/x popx `Migrations.SortAndFilter`).
 * For such a file: the name of the PostgreSQL file that would replace it on PostgreSQL, and the one
 * of the siblings that already does (then this file does not run on PostgreSQL). Undefined for a
 * file that names its database.
 */
export function postgresCounterpart(
  fileName: string,
  siblings: readonly string[],
): { version: string; name: string; existing: string | undefined } | undefined {
  const match = /^((\d+)_[^.]+)((?:\.autocommit)?\.(up|down)\.sql)$/.exec(fileName);
  if (!match) return undefined;
  const [, stem, version, suffix, direction] = match as unknown as [string, string, string, string, string];
  const own = new RegExp(`^${version}_[^.]+\\.postgres(?:\\.autocommit)?\\.${direction}\\.sql$`);
  return { version, name: `${stem}.postgres${suffix}`, existing: siblings.find((sibling) => own.test(sibling)) };
}
