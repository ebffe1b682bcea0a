import type { Constraint, Node } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type Statement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { leadingKeywords } from './support/keywords';

const DOCS_TRUNCATE = 'https://www.postgresql.org/docs/current/sql-truncate.html';
const PROBE_CHILD_SETUP = [...PROBE_TABLE_SETUP, 'CREATE TABLE lock_probe_child (id int PRIMARY KEY, probe_id int REFERENCES lock_probe (id))'];

/** TRUNCATE on a table in use: every query waits for the lock, then the application finds the table empty. */
export const truncateTable: Rule = {
  id: 'truncate-table',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'TRUNCATE of an existing table: ACCESS EXCLUSIVE lock, and all its rows are gone for the running application.',
    why:
      '`TRUNCATE` takes an ACCESS EXCLUSIVE lock (every read and write on the table waits, and it queues behind running ' +
      'queries) and removes every row at once. The code running in production still reads and writes that table: it ' +
      'finds it empty the moment the migration commits. `CASCADE` empties every table that has a foreign key to it as ' +
      'well, and those tables are not named in the statement.',
    example: {
      bad: 'TRUNCATE orders CASCADE;',
      good: '-- delete what must go, in batches, once the application no longer needs it:\nDELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE created_at < now() - interval \'5 years\' LIMIT 10000);',
    },
    instead:
      'Decide whether the data may really go while the application runs. If only some rows must go, delete them in ' +
      'batches (each a short transaction). If the table is no longer used, stop using it in the code, then drop it in a ' +
      'later release. There is no automatic fix. Tables created earlier in the same migration are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'TRUNCATE table',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_TRUNCATE,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'TRUNCATE lock_probe', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'TRUNCATE table CASCADE',
      mode: 'ACCESS EXCLUSIVE',
      on: 'every table with a foreign key to the table (emptied too)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_TRUNCATE,
      probe: { setup: PROBE_CHILD_SETUP, statement: 'TRUNCATE lock_probe CASCADE', relation: 'lock_probe_child' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const truncate = nodeAs(statement, 'TruncateStmt');
    if (!truncate || statement.kind !== 'parsed') return [];
    const locks = locksOf(statement, context.options.pgVersion).filter((lock) => !context.isCreatedInFile(lock.relation, statement.index));
    const [first] = locks;
    if (!first) return [];
    const tables = locks.map((lock) => lock.relation);
    const names = tables.map(displayRelation).join(', ');
    const plural = tables.length > 1;
    const cascade = truncate.behavior === 'DROP_CASCADE' ? ` ${cascadeNote(tables, context.statements.slice(0, statement.index))}` : '';
    return [
      {
        message:
          `TRUNCATE takes an ACCESS EXCLUSIVE lock on ${names} (every read and write waits) and deletes all ${plural ? 'their' : 'its'} ` +
          `rows: the running application finds ${plural ? 'them' : 'it'} empty as soon as this commits.${cascade} Delete only what must go, in ` +
          'batches, or stop using the table and drop it in a later release.',
        range: leadingKeywords(statement, ['TABLE']),
        lock: { mode: first.mode, relation: first.relation, blocks: blockedOperations(first.mode) },
        noFixReason: 'Whether the data of a table in use may go is a product decision; no rewrite makes emptying it safe.',
        safeAlternative: 'Delete only the rows that must go, in batches; or stop using the table and drop it in a later release.',
      },
    ];
  },
};

/** What CASCADE also empties: the referencing tables this file shows (transitively), and a warning about the rest. */
function cascadeNote(truncated: readonly RelationName[], earlier: readonly Statement[]): string {
  const references = earlier.flatMap(foreignKeys);
  const emptied: RelationName[] = [];
  let frontier = [...truncated];
  while (frontier.length > 0) {
    const next = references
      .filter((fk) => frontier.some((table) => sameRelation(fk.referenced, table)))
      .map((fk) => fk.referencing)
      .filter((table) => ![...truncated, ...emptied].some((seen) => sameRelation(seen, table)));
    emptied.push(...next);
    frontier = next;
  }
  const target = truncated.length > 1 ? 'them' : 'it';
  if (emptied.length === 0) return `CASCADE also empties, under the same lock, every table with a foreign key to ${target} (none is visible in this file: check the schema).`;
  return `CASCADE also empties, under the same lock, ${emptied.map(displayRelation).join(', ')} (foreign keys in this file) and any other table with a foreign key to ${target}.`;
}

interface ForeignKey {
  referencing: RelationName;
  referenced: RelationName;
}

/** Foreign keys a CREATE TABLE or ALTER TABLE … ADD statement declares. */
function foreignKeys(statement: Statement): ForeignKey[] {
  const create = nodeAs(statement, 'CreateStmt');
  if (create?.relation) return foreignKeyConstraints(create.tableElts ?? []).flatMap((fk) => link(create.relation!, fk));
  const alter = nodeAs(statement, 'AlterTableStmt');
  if (alter?.relation) {
    const added = statement.kind === 'parsed' ? statement.alterTableCommands.filter((cmd) => cmd.subtype === 'AT_AddConstraint' || cmd.subtype === 'AT_AddColumn') : [];
    return foreignKeyConstraints(added.flatMap((cmd) => (cmd.def ? [cmd.def] : []))).flatMap((fk) => link(alter.relation!, fk));
  }
  return [];
}

function link(table: { schemaname?: string; relname?: string }, fk: Constraint): ForeignKey[] {
  if (!table.relname || !fk.pktable?.relname) return [];
  return [{ referencing: { schema: table.schemaname, name: table.relname }, referenced: { schema: fk.pktable.schemaname, name: fk.pktable.relname } }];
}

/** FOREIGN KEY table constraints and column REFERENCES among table elements or added definitions. */
function foreignKeyConstraints(elements: readonly Node[]): Constraint[] {
  return elements.flatMap((element) => {
    const constraints = 'Constraint' in element ? [element.Constraint] : 'ColumnDef' in element ? (element.ColumnDef.constraints ?? []).flatMap((node) => ('Constraint' in node ? [node.Constraint] : [])) : [];
    return constraints.filter((constraint) => constraint.contype === 'CONSTR_FOREIGN');
  });
}
