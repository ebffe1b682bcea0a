import { nodeAs } from '../model/statement';
import type { Rule } from './rule';
import { EXPAND_CONTRACT, isRevertingMigration, isSchemaNewInFile } from './support/breaking-changes';
import { quoteIdentifier } from './support/constraints';
import { renameClause } from './support/renames';

/** ALTER SCHEMA … RENAME TO of a schema the running application uses by its old name. */
export const renameSchema: Rule = {
  id: 'rename-schema',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER SCHEMA … RENAME TO of an existing schema: the running application\'s queries on everything in it fail.',
    why:
      'The code running in production names the schema\'s tables, views and functions by the old schema name (or finds ' +
      'them through a `search_path` that lists it): from the commit on, every such query fails with `relation "…" does ' +
      'not exist` until the new code and configuration run everywhere.',
    example: {
      bad: 'ALTER SCHEMA reporting RENAME TO analytics;',
      good: '-- create the new schema, move objects while the code reads through both names, drop the old one later\nCREATE SCHEMA analytics;',
    },
    instead: EXPAND_CONTRACT,
  },
  facts: [],
  fixChecks: [],
  check(statement, context) {
    const rename = nodeAs(statement, 'RenameStmt');
    if (rename?.renameType !== 'OBJECT_SCHEMA' || rename.subname === undefined || rename.newname === undefined) return [];
    if (isRevertingMigration(statement, context) || isSchemaNewInFile(context, rename.subname, statement.index)) return [];
    return [
      {
        message:
          `Renaming schema ${quoteIdentifier(rename.subname)} to ${quoteIdentifier(rename.newname)} breaks the application running now: its queries ` +
          'on the objects in it use the old name (or a search_path listing it) and fail as soon as this commits. Keep the old name working ' +
          'until no code uses it (expand/contract).',
        range: renameClause(statement),
        noFixReason: 'Which names the running code uses is not in the migration: move to the new schema with expand/contract.',
        safeAlternative: 'Expand/contract: make the code work with both schemas, deploy, then rename or drop.',
      },
    ];
  },
};
