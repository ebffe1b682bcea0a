import { baseName, markerLine, markers, sectionsBetween, withStatementBlocks, type Framework } from './framework';
import { freeVersionAfter, statementSql, undoSql, versionTaken } from './next-migration';

/** sql-migrate: `-- +migrate Up` / `-- +migrate Down`, each in a transaction unless its marker says `notransaction`. */
export const sqlMigrate: Framework = {
  id: 'sql-migrate',
  afterCommit: 'autocommit',
  name: 'sql-migrate',
  optOut: 'Put the statement in a migration of its own whose section marker is `-- +migrate Up notransaction`.',
  recognise({ source }) {
    const found = markers(source, /^--\s*\+migrate\s+(Up|Down)\b(.*)$/m);
    if (!found.some((marker) => marker.name === 'Up')) return undefined;
    return {
      evidence: 'the `-- +migrate Up` marker',
      sections: withStatementBlocks(
        sectionsBetween(
          source,
          found.map((at) => ({ at, kind: at.name === 'Up' ? 'up' : 'down', wrapping: /\bnotransaction\b/.test(at.rest) ? 'none' : 'transaction' })),
        ),
        markers(source, /^--\s*\+migrate\s+(StatementBegin|StatementEnd)\b(.*)$/m),
      ),
    };
  },
  newMigration(file, statement) {
    const match = /^(\d+)([-_]).+\.sql$/.exec(baseName(file.path));
    if (!match) return 'The file name does not start with a number, so Lockguard cannot name a migration that sorts right after it: create one by hand with `-- +migrate Up notransaction`.';
    const next = freeVersionAfter(match[1]!, versionTaken(file.siblings()));
    const up = statement.outsideTransaction ? '-- +migrate Up notransaction' : '-- +migrate Up';
    return { files: [{ path: `${next}${match[2]}${statement.name.replace(/_/g, match[2]!)}.sql`, text: `${up}\n${statementSql(statement)}\n-- +migrate Down\n${undoSql(statement)}` }] };
  },
  withoutTransaction({ source }, section) {
    const marker = markerLine(source, section, /^--\s*\+migrate\s+(Up)\b(.*)$/m);
    if (!marker) return 'Lockguard found no `-- +migrate Up` marker to add `notransaction` to.';
    return { inserts: [{ at: marker.end, text: ' notransaction' }], files: [], how: '`-- +migrate Up notransaction`' };
  },
};
