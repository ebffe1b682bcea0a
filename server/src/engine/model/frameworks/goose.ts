import { baseName, markers, sectionsBetween, withStatementBlocks, type Framework } from './framework';
import { freeVersionAfter, statementSql, undoSql, versionTaken } from './next-migration';

/**
 * goose: `-- +goose Up` / `-- +goose Down` sections, each run in a transaction unless the file says
 * `-- +goose NO TRANSACTION` (both directions). Annotations are case-insensitive and start the line.
 */
export const goose: Framework = {
  id: 'goose',
  afterCommit: 'autocommit',
  name: 'goose',
  optOut: 'Put the statement in a migration of its own that starts with `-- +goose NO TRANSACTION`.',
  recognise({ source }) {
    const found = markers(source, /^--\s*\+goose\s+(Up|Down)\b(.*)$/im);
    if (!found.some((marker) => marker.name.toLowerCase() === 'up')) return undefined;
    const wrapping = /^--\s*\+goose\s+NO\s+TRANSACTION\b/im.test(source) ? 'none' : 'transaction';
    return {
      evidence: 'the `-- +goose Up` annotation' + (wrapping === 'none' ? ' and `-- +goose NO TRANSACTION`' : ''),
      sections: withStatementBlocks(
        sectionsBetween(source, found.map((at) => ({ at, kind: at.name.toLowerCase() === 'up' ? 'up' : 'down', wrapping }))),
        markers(source, /^--\s*\+goose\s+(StatementBegin|StatementEnd)\b(.*)$/im),
      ),
    };
  },
  newMigration(file, statement) {
    const version = /^(\d+)_.+\.sql$/.exec(baseName(file.path))?.[1];
    if (version === undefined) return 'The file name does not start with a goose version (`<version>_<name>.sql`), so Lockguard cannot name the next migration.';
    const next = freeVersionAfter(version, versionTaken(file.siblings()));
    const header = statement.outsideTransaction ? '-- +goose NO TRANSACTION\n' : '';
    return { files: [{ path: `${next}_${statement.name}.sql`, text: `${header}-- +goose Up\n${statementSql(statement)}\n-- +goose Down\n${undoSql(statement)}` }] };
  },
  // The annotation covers the whole file, the Down section too.
  withoutTransaction: () => ({ inserts: [{ at: 0, text: '-- +goose NO TRANSACTION\n' }], files: [], how: '`-- +goose NO TRANSACTION`, for the whole file' }),
};
