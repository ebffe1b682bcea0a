import { baseName, wholeFile, type Framework, type MigrationFile } from './framework';

const MARKER = /^--\s*postgres-migrations disable-transaction\b/m;

/** The library's file names: `<id>-<name>.sql` or `<id>_<name>.sql` (JavaScript migrations, `.js`, take ids too). */
const MIGRATION_NAME = /^(\d+)[-_][^/]*\.(sql|js)$/;

/**
 * postgres-migrations (npm): numbered files `<id>[-_]<name>.sql`, ids 1, 2, 3, … without gaps, each
 * sent as one query, in START TRANSACTION … COMMIT unless it carries `-- postgres-migrations
 * disable-transaction` (then the one query still makes several statements one implicit transaction).
 * An unmarked file is the library's when a file of its folder carries the marker (docs/frameworks.md).
 */
export const postgresMigrations: Framework = {
  id: 'postgres-migrations',
  afterCommit: 'new-transaction',
  name: 'postgres-migrations',
  optOut: 'Put the statement alone in a migration of its own whose first line is `-- postgres-migrations disable-transaction` (the file is sent as one query).',
  recognise(file) {
    if (MARKER.test(file.source)) return { evidence: 'the `-- postgres-migrations disable-transaction` comment', sections: wholeFile(file.source, 'up', 'one-query') };
    const marked = markedSibling(file);
    if (!marked) return undefined;
    return { evidence: `its name and ${marked}, which carries \`-- postgres-migrations disable-transaction\`, in the same numbered set`, sections: wholeFile(file.source, 'up', 'transaction') };
  },
  // On the first line: releases before 5 looked only there.
  withoutTransaction: () => ({ inserts: [{ at: 0, text: '-- postgres-migrations disable-transaction\n' }], files: [], how: '`-- postgres-migrations disable-transaction`' }),
};

/**
 * A file of the migration's folder that carries the marker, when the folder is a set the library
 * accepts: the migration and its siblings numbered 1, 2, 3, … with no gap or repeat (the library
 * refuses any other). The numbering is checked first, from the listing alone, so that other tools'
 * folders are not read.
 */
function markedSibling(file: MigrationFile): string | undefined {
  const own = baseName(file.path);
  if (!MIGRATION_NAME.test(own)) return undefined;
  const names = new Set([...file.listSiblings().filter((name) => MIGRATION_NAME.test(name)), own]);
  const ids = [...names].map((name) => Number(MIGRATION_NAME.exec(name)![1])).sort((a, b) => a - b);
  if (ids.some((id, i) => id !== i + 1)) return undefined;
  return [...names].sort().find((name) => name !== own && name.endsWith('.sql') && MARKER.test(file.readSibling(name) ?? ''));
}
