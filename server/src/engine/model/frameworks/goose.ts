import { markers, sectionsBetween, withStatementBlocks, type Framework } from './framework';

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
};
