import type { Constraint, Node } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Report, Rule, RuleContext } from './rule';
import { addedColumns, requiredWithoutValue } from './support/added-columns';
import { quoteIdentifier } from './support/constraints';
import { leadingKeywords } from './support/keywords';
import { lineOf } from './support/lines';
import { aboutStatement } from './support/recorded-questions';
import { segmentPlace } from './support/transaction-segments';

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
      'later release. There is no automatic fix. Tables created earlier in the same migration are exempt. When a later ' +
      'statement of the same transaction shows that the table is emptied on purpose, the finding is a warning that says ' +
      'what the application meets instead: an `INSERT` or `COPY … FROM` that refills it (readers see the new rows at the ' +
      'commit, but wait on the lock through the refill), or an `ADD COLUMN … NOT NULL` without a DEFAULT, which only an ' +
      'empty table takes (the application finds the table empty until its rows are rebuilt; keep them with a DEFAULT if nothing rebuilds them).',
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
    const lock = { mode: first.mode, relation: first.relation, blocks: blockedOperations(first.mode) };
    const cascades = truncate.behavior === 'DROP_CASCADE';
    // One table, no CASCADE: a later statement of the transaction may show that emptying it is the point.
    const purpose = tables.length === 1 && !cascades ? laterNeedForEmptyTable(statement, context, { schema: first.relation.schema, name: first.relation.name }) : undefined;
    if (purpose) return [{ ...deliberateEmptying(purpose, displayRelation(first.relation), lineOf(purpose.statement, context)), range: leadingKeywords(statement, ['TABLE']), lock }];
    const names = tables.map(displayRelation).join(', ');
    const plural = tables.length > 1;
    const cascade = cascades ? ` ${cascadeNote(tables, context.statements.slice(0, statement.index))}` : '';
    return [
      {
        message:
          `TRUNCATE takes an ACCESS EXCLUSIVE lock on ${names} (every read and write waits) and deletes all ${plural ? 'their' : 'its'} ` +
          `rows: the running application finds ${plural ? 'them' : 'it'} empty as soon as this commits.${cascade} Delete only what must go, in ` +
          'batches, or stop using the table and drop it in a later release.',
        range: leadingKeywords(statement, ['TABLE']),
        lock,
        noFixReason: 'Whether the data of a table in use may go is a product decision; no rewrite makes emptying it safe.',
        safeAlternative: 'Delete only the rows that must go, in batches; or stop using the table and drop it in a later release.',
      },
    ];
  },
};

/** A later statement of the TRUNCATE's transaction that shows the table is emptied on purpose. */
interface EmptyingPurpose {
  /** `refill`: it inserts the table's new rows; `needs-empty`: it adds a NOT NULL column without a value, which only an empty table takes. */
  kind: 'refill' | 'needs-empty';
  statement: Statement;
  column?: string;
}

/**
 * The first later statement of the same transaction that refills the table (INSERT, COPY … FROM) or can
 * only succeed on it empty (ADD COLUMN … NOT NULL without a DEFAULT). A recorded question
 * (./support/recorded-questions.ts); the refill wins, since with it the table is not left empty.
 */
const laterNeedForEmptyTable = aboutStatement('later need for the emptied table', (statement: Statement, context: RuleContext, table: RelationName): EmptyingPurpose | undefined => {
  const place = segmentPlace(statement, context);
  if (!place) return undefined;
  const later = place.segment.statements.slice(place.before + 1);
  const refill = later.find((candidate) => refilledTable(candidate) !== undefined && sameRelation(refilledTable(candidate)!, table));
  if (refill) return { kind: 'refill', statement: refill };
  for (const candidate of later) {
    const target = nodeAs(candidate, 'AlterTableStmt') ? candidate.targets[0] : undefined;
    if (!target || !sameRelation(target, table)) continue;
    const added = addedColumns({ statement: candidate, table: target, commands: candidate.alterTableCommands }).find((column) => requiredWithoutValue(column));
    if (added) return { kind: 'needs-empty', statement: candidate, column: added.column.colname };
  }
  return undefined;
});

/** The table an INSERT or COPY … FROM writes rows into. */
function refilledTable(statement: ParsedStatement): RelationName | undefined {
  const relation = nodeAs(statement, 'InsertStmt')?.relation ?? (nodeAs(statement, 'CopyStmt')?.is_from ? nodeAs(statement, 'CopyStmt')?.relation : undefined);
  return relation?.relname === undefined ? undefined : { schema: relation.schemaname, name: relation.relname };
}

/**
 * The finding on a TRUNCATE the transaction needs: no advice to delete in batches (the later statement needs
 * every row gone), but what the running application meets. A warning: the emptying is deliberate, and the lock
 * a slow refill holds is lock-held-across-slow-statement's finding.
 */
function deliberateEmptying(purpose: EmptyingPurpose, table: string, line: number): Report {
  if (purpose.kind === 'refill') {
    return {
      severity: 'warning',
      message:
        `TRUNCATE empties ${table} for the rows line ${line} inserts in the same transaction: the running application sees the new rows ` +
        'when this commits, but TRUNCATE\'s ACCESS EXCLUSIVE lock is held until then, so every read and write on the table waits ' +
        'through the refill, and a transaction whose snapshot is older than the commit sees the table empty (TRUNCATE is not ' +
        'MVCC-safe). Keep the refill short, or build the new rows in a new table and swap it in with a rename.',
      noFixReason: 'The refill is the point of the TRUNCATE; only you know whether it is quick enough to hold the lock through.',
      safeAlternative: 'Build the new rows in a new table, then swap the names in a short transaction.',
    };
  }
  const column = purpose.column === undefined ? 'a column' : quoteIdentifier(purpose.column);
  return {
    severity: 'warning',
    message:
      `TRUNCATE empties ${table}, as line ${line} needs: ADD COLUMN ${column} … NOT NULL without a DEFAULT only succeeds on an empty table. ` +
      'Until this commits, every read and write on the table waits on the ACCESS EXCLUSIVE lock (line ' + line + ' takes it too); from ' +
      'the commit on, the running application finds the table empty until its rows are rebuilt. If nothing rebuilds them (as an ' +
      `application does for derived data), keep the rows instead: give ${column} a DEFAULT, or add it nullable, backfill it, then SET NOT NULL.`,
    noFixReason: 'Whether the rows may go and what rebuilds them is the application\'s business; the later statement needs the table empty.',
    safeAlternative: `Keep the rows: add ${column} with a DEFAULT, or nullable + backfill + SET NOT NULL.`,
  };
}

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
