import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { accessExclusiveOn, commandRange, commandsOfType } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { rewriteFact, rewriteMessage } from './support/table-rewrites';

const DOCS_SET_LOGGED = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-LOGGED-UNLOGGED';

/** SET LOGGED / SET UNLOGGED copies the table into a new file (SET LOGGED also writes all of it to the WAL). */
export const setLoggedUnlogged: Rule = {
  id: 'set-logged-unlogged',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ALTER TABLE … SET LOGGED / SET UNLOGGED rewrites the table while reads and writes wait.',
    why:
      'Switching a table between logged and unlogged copies it, with all its indexes, into new files under an ACCESS ' +
      'EXCLUSIVE lock: no read or write on the table until it is done. `SET LOGGED` also writes the whole table to the ' +
      'WAL, which replicas must replay. An unlogged table is emptied after a crash and is not replicated: `SET ' +
      'UNLOGGED` on a table that holds real data risks losing it.',
    example: {
      bad: 'ALTER TABLE import_rows SET LOGGED;',
      good: '-- create the table logged from the start, or load it unlogged before anyone uses it:\nCREATE TABLE import_rows (id bigint, payload jsonb);',
    },
    instead:
      'Decide logged or unlogged when the table is created. To switch a table in use, do it in a maintenance window, or ' +
      'build a new table with the wanted persistence, copy the data in batches and swap the names. Tables created ' +
      `earlier in the same migration are exempt. ${FEW_ROWS_EXEMPTION}`,
  },
  facts: [
    rewriteFact('ALTER TABLE table SET UNLOGGED', 'ALTER TABLE lock_probe SET UNLOGGED', { from: 9 }, DOCS_SET_LOGGED),
    rewriteFact('ALTER TABLE table SET LOGGED', 'ALTER TABLE lock_probe SET LOGGED', { from: 9 }, DOCS_SET_LOGGED, [
      ...PROBE_TABLE_SETUP,
      'ALTER TABLE lock_probe SET UNLOGGED',
    ]),
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_SetLogged', 'AT_SetUnLogged');
    if (!alter) return [];
    return commandsOfType(alter, 'AT_SetLogged', 'AT_SetUnLogged').map((command) => {
      const logged = command.subtype === 'AT_SetLogged';
      const why = logged ? 'the table is copied and written to the WAL' : 'the table is copied into an unlogged file';
      const risk = logged ? '' : ' An unlogged table is emptied after a crash and not replicated.';
      return {
        message: rewriteMessage(logged ? 'SET LOGGED' : 'SET UNLOGGED', alter.table, why, `Choose the persistence when the table is created, or switch it in a maintenance window.${risk}`),
        range: commandRange(alter, command),
        lock: accessExclusiveOn(alter.table),
        noFixReason: 'PostgreSQL has no online form of SET LOGGED/UNLOGGED: only a maintenance window or a new table with a copy avoids the outage.',
        safeAlternative: 'Decide the persistence at CREATE TABLE, or switch in a maintenance window.',
      };
    });
  },
};
