import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule, RuleContext } from './rule';
import { EXPAND_CONTRACT, isRevertingMigration, renamesTableTo } from './support/breaking-changes';
import { dropTableFindsNothing } from './support/absent-relations';
import { leadingKeywords } from './support/keywords';
import { namesMigrationToolTable } from './support/migration-tool-tables';

const DOCS_DROP_TABLE = 'https://www.postgresql.org/docs/current/sql-droptable.html';

/** DROP TABLE of a table the running application may still use: its queries fail after the commit. */
export const dropTable: Rule = {
  id: 'drop-table',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'DROP TABLE of an existing table: the running application\'s queries on it fail; ACCESS EXCLUSIVE lock while it waits.',
    why:
      'The code running in production while the migration runs still reads and writes the table: from the commit on, ' +
      'each of those queries fails with `relation "…" does not exist`. The data is gone with it, and a rollback of ' +
      'the code cannot bring it back. `DROP TABLE` also takes an ACCESS EXCLUSIVE lock on the table, and on every ' +
      'table its foreign keys reference (their triggers are dropped): the drop is instant, but while it waits for ' +
      'running queries, every read and write on those tables queues behind it. `CASCADE` also drops the views and ' +
      'foreign keys that depend on the table.',
    example: {
      bad: 'DROP TABLE legacy_orders;',
      good: '-- release N: the code stops using legacy_orders; release N+1, once N is deployed everywhere:\n-- lockguard-ignore drop-table: unused since release N\nDROP TABLE legacy_orders;',
    },
    instead: `${EXPAND_CONTRACT} A migration tool's own bookkeeping table (\`schema_migrations\`, \`goose_db_version\`, …; docs/frameworks.md) is not reported: no application query reads it.`,
  },
  facts: [
    {
      kind: 'lock',
      statement: 'DROP TABLE table',
      mode: 'ACCESS EXCLUSIVE',
      on: 'every table the dropped table has a foreign key to (the dropped table itself: ACCESS EXCLUSIVE too, which a probe cannot show once it is gone)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: DOCS_DROP_TABLE,
      probe: {
        setup: [...PROBE_TABLE_SETUP, 'CREATE TABLE lock_probe_child (id int PRIMARY KEY, probe_id int REFERENCES lock_probe (id))'],
        statement: 'DROP TABLE lock_probe_child',
        relation: 'lock_probe',
      },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const drop = nodeAs(statement, 'DropStmt');
    if (drop?.removeType !== 'OBJECT_TABLE' || statement.kind !== 'parsed' || isRevertingMigration(statement, context)) return [];
    const tables = locksOf(statement, context.options.pgVersion)
      .map((lock) => lock.relation)
      .filter((table) => !isNameOfThisMigration(table, statement.index, context) && !(drop.missing_ok === true && dropTableFindsNothing(table, statement, context)))
      // A migration tool's bookkeeping table (another tool's, when a project switches tools): no application query reads it.
      .filter((table) => !namesMigrationToolTable(table, context.schema.before(statement.index).table(table)?.columns.map((column) => column.name)));
    const [first] = tables;
    if (!first) return [];
    const names = tables.map(displayRelation).join(', ');
    const cascade = drop.behavior === 'DROP_CASCADE' ? ' CASCADE also drops the views and foreign keys that depend on it.' : '';
    return [
      {
        message:
          `DROP TABLE removes ${names}, which the application running now may still read and write: its queries fail as soon as this ` +
          `commits, and the data is gone.${cascade} It also takes an ACCESS EXCLUSIVE lock (reads and writes wait behind it while it ` +
          'waits for running queries). Stop using the table in the code and deploy that first; drop it in a later migration.',
        range: leadingKeywords(statement, ['TABLE']),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: first, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        noFixReason: 'Only the application can stop using the table: remove its use, deploy, then drop it (and say so with a lockguard-ignore reason).',
        safeAlternative: 'Expand/contract: stop using the table in the code, deploy, then drop it in a later migration.',
      },
    ];
  },
};

/**
 * Whether no running code can be using the table under this name: the file created it, or renamed a
 * table to it (a backup copy), or renames another table to it afterwards (a swap: the name stays).
 */
function isNameOfThisMigration(table: RelationName, dropStatement: number, context: RuleContext): boolean {
  return (
    context.isCreatedInFile(table, dropStatement) ||
    renamesTableTo(context, table, 0, dropStatement) ||
    renamesTableTo(context, table, dropStatement + 1, context.statements.length)
  );
}
