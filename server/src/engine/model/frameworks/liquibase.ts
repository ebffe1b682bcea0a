import { markerLine, markers, type Framework, type Section } from './framework';
import { statementSql } from './next-migration';

/**
 * Liquibase formatted SQL: the file starts with `--liquibase formatted sql`; each `--changeset
 * author:id attr:value …` is a unit of its own, in a transaction unless `runInTransaction:false`
 * (then statement by statement, or as one query with `splitStatements:false`). `--rollback` lines are
 * comments to PostgreSQL, so they never run on apply.
 */
export const liquibase: Framework = {
  id: 'liquibase',
  afterCommit: 'new-transaction',
  name: 'Liquibase',
  optOut: 'Put the statement in a changeset of its own with `runInTransaction:false` (e.g. `--changeset author:id runInTransaction:false`).',
  recognise({ source }) {
    if (!/^\s*--\s*liquibase formatted sql/i.test(source)) return undefined;
    const changesets = markers(source, /^--\s*(changeset)\s+(.*)$/m);
    const sections: Section[] = changesets.map((at, i) => {
      const outside = /\brunInTransaction:false\b/.test(at.rest);
      const oneQuery = /\bsplitStatements:false\b/.test(at.rest);
      return { kind: 'up', start: i === 0 ? 0 : at.start, end: changesets[i + 1]?.start ?? source.length, wrapping: !outside ? 'transaction' : oneQuery ? 'one-query' : 'none' };
    });
    return { evidence: 'the `--liquibase formatted sql` header', sections: sections.length > 0 ? sections : [{ kind: 'up', start: 0, end: source.length, wrapping: 'transaction' }] };
  },
  // A changeset of its own, right after the one holding the statement: no new file.
  newMigration({ source }, statement) {
    const changesets = markers(source, /^--\s*(changeset)\s+(.*)$/m);
    const index = changesets.filter((changeset) => changeset.start <= statement.at).length - 1;
    const holding = changesets[index];
    const id = holding && /^(\S+):(\S+)/.exec(holding.rest);
    if (!id) return 'The statement is not in a `--changeset author:id` changeset, so Lockguard cannot add one after it.';
    const at = changesets[index + 1]?.start ?? source.length;
    const attributes = statement.outsideTransaction ? ' runInTransaction:false' : '';
    const lead = at === source.length && !source.endsWith('\n') ? '\n\n' : at === source.length ? '\n' : '';
    return { files: [], insert: { at, text: `${lead}--changeset ${id[1]}:${id[2]}-${statement.name}${attributes}\n${statementSql(statement)}${at === source.length ? '' : '\n'}` } };
  },
  withoutTransaction({ source }, section) {
    const changeset = markerLine(source, section, /^--\s*(changeset)\s+(.*)$/m);
    if (!changeset) return 'The statement is not in a `--changeset author:id` changeset, so Lockguard cannot mark one `runInTransaction:false`.';
    if (/\brunInTransaction:/.test(changeset.text)) return `Change \`runInTransaction:\` to \`runInTransaction:false\` on the line \`${changeset.text.trim()}\`.`;
    return { inserts: [{ at: changeset.end, text: ' runInTransaction:false' }], files: [], how: '`runInTransaction:false` on its changeset' };
  },
};
