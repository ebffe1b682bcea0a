import { displayRelation } from '../model/relations';
import type { Rule } from './rule';
import { accessExclusiveOn, commandRange, commandsOfType } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { rewriteFact } from './support/table-rewrites';

const DOCS_SET_TABLESPACE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-TABLESPACE';

/** SET TABLESPACE copies every file of the relation to the new tablespace while holding ACCESS EXCLUSIVE. */
export const setTablespace: Rule = {
  id: 'set-tablespace',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ALTER TABLE / INDEX … SET TABLESPACE copies the relation\'s files while reads and writes wait.',
    why:
      '`SET TABLESPACE` copies the table (or index, or materialized view) file by file into the new tablespace under ' +
      'an ACCESS EXCLUSIVE lock: nothing can read or write the relation until the last byte is copied, which takes as ' +
      'long as copying its size on disk. (Moving a table does not move its indexes: each needs its own statement.)',
    example: {
      bad: 'ALTER TABLE orders SET TABLESPACE fast_ssd;',
      good: '-- from outside the migration, online:\n-- pg_repack --table=orders --tablespace=fast_ssd',
    },
    instead:
      'Move large relations online with `pg_repack --tablespace` (it copies while reads and writes continue and swaps ' +
      'at the end), or in a maintenance window. New tables can be created in the right tablespace ' +
      '(`CREATE TABLE … TABLESPACE …`). Relations created earlier in the same migration are exempt. ' +
      FEW_ROWS_EXEMPTION,
  },
  facts: [rewriteFact('ALTER TABLE table SET TABLESPACE tablespace', 'ALTER TABLE lock_probe SET TABLESPACE pg_default', { from: 9 }, DOCS_SET_TABLESPACE)],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_SetTableSpace');
    if (!alter) return [];
    return commandsOfType(alter, 'AT_SetTableSpace').map((command) => ({
      message:
        `SET TABLESPACE ${command.name ?? ''} copies every file of ${displayRelation(alter.table)} under an ACCESS EXCLUSIVE lock: every read and ` +
        'write on it waits until the copy is done, as long as copying its size on disk. Move it online with pg_repack --tablespace, or in a maintenance window.',
      range: commandRange(alter, command),
      lock: accessExclusiveOn(alter.table),
      noFixReason: 'PostgreSQL has no online SET TABLESPACE: pg_repack --tablespace (outside the migration) or a maintenance window.',
      safeAlternative: 'pg_repack --tablespace, run outside the migration.',
    }));
  },
};
