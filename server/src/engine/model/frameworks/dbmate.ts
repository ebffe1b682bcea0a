import { baseName, markerLine, markers, sectionsBetween, type Framework } from './framework';
import { freeVersionAfter, statementSql, undoSql, versionTaken } from './next-migration';

/**
 * dbmate: `-- migrate:up` / `-- migrate:down` sections (pairs may repeat), each sent as one query in a
 * transaction unless the marker says `transaction:false` — then PostgreSQL's implicit transaction still
 * covers a section of several statements, so CONCURRENTLY needs a section of its own.
 */
export const dbmate: Framework = {
  id: 'dbmate',
  afterCommit: 'new-transaction',
  name: 'dbmate',
  optOut: 'Put the statement alone in a migration marked `-- migrate:up transaction:false` (dbmate sends a section as one query, so it must be the only statement).',
  recognise({ source }) {
    const found = markers(source, /^--\s*migrate:(up|down)\b(.*)$/m);
    if (!found.some((marker) => marker.name === 'up')) return undefined;
    return {
      evidence: 'the `-- migrate:up` marker',
      sections: sectionsBetween(
        source,
        found.map((at) => ({ at, kind: at.name === 'up' ? 'up' : 'down', wrapping: /\btransaction:false\b/.test(at.rest) ? 'one-query' : 'transaction' })),
      ),
    };
  },
  newMigration(file, statement) {
    const version = /^(\d+)_.+\.sql$/.exec(baseName(file.path))?.[1];
    if (version === undefined) return 'The file name does not start with a dbmate version (`<version>_<name>.sql`), so Lockguard cannot name the next migration.';
    const next = freeVersionAfter(version, versionTaken(file.siblings()));
    const up = statement.outsideTransaction ? '-- migrate:up transaction:false' : '-- migrate:up';
    return { files: [{ path: `${next}_${statement.name}.sql`, text: `${up}\n${statementSql(statement)}\n-- migrate:down\n${undoSql(statement)}` }] };
  },
  // The section is sent as one query: the statement, alone in it, then runs outside any transaction.
  withoutTransaction({ source }, section) {
    const marker = markerLine(source, section, /^--\s*migrate:(up)\b(.*)$/m);
    if (!marker) return 'Lockguard found no `-- migrate:up` marker to add `transaction:false` to.';
    if (/\btransaction:/.test(marker.text)) return `Change \`transaction:\` to \`transaction:false\` on the line \`${marker.text.trim()}\`.`;
    return { inserts: [{ at: marker.end, text: ' transaction:false' }], files: [], how: '`-- migrate:up transaction:false`' };
  },
};
