import { markers, sectionsBetween, withStatementBlocks, type Framework } from './framework';

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
};
