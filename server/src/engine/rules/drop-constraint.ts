import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { ConstraintState } from '../model/schema/objects';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { LockFact, Rule, RuleContext } from './rule';
import { alterTableClause } from './support/alter-table-clauses';
import { addsConstraint, alterationsOf, dropsTable, isConstraintNewInFile, isRevertingMigration } from './support/breaking-changes';
import { addedConstraints, quoteIdentifier } from './support/constraints';
import { isLockTimeoutInForce } from './support/timeout-coverage';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';
const PROBE_FOREIGN_KEY_SETUP = [...PROBE_TABLE_SETUP, 'CREATE TABLE lock_probe_child (id int PRIMARY KEY, probe_id int CONSTRAINT lock_probe_child_fk REFERENCES lock_probe (id))'];
const PROBE_DROP_FOREIGN_KEY = 'ALTER TABLE lock_probe_child DROP CONSTRAINT lock_probe_child_fk';

/**
 * DROP CONSTRAINT: rarely breaks running code (it only stops checking), so a warning. It locks the
 * table (and for a foreign key, the referenced table) ACCESS EXCLUSIVE, and a dropped UNIQUE or
 * PRIMARY KEY takes its index with it.
 */
export const dropConstraint: Rule = {
  id: 'drop-constraint',
  severity: 'warning',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER TABLE … DROP CONSTRAINT on an existing table: ACCESS EXCLUSIVE lock (both tables for a foreign key); a UNIQUE or PRIMARY KEY takes its index along.',
    why:
      'Dropping a constraint is instant and rarely breaks the running application — it only stops checking — so this ' +
      'is a warning, not an error. But it takes an ACCESS EXCLUSIVE lock on the table, and for a foreign key on the ' +
      'referenced table too: reads and writes of both queue behind it while it waits for running queries. Dropping ' +
      'a UNIQUE or PRIMARY KEY constraint also drops its index: `INSERT … ON CONFLICT` on those columns starts failing ' +
      '("no unique or exclusion constraint matching the ON CONFLICT specification"), lookups by those columns can turn ' +
      'into full scans, and foreign keys that reference it make the drop fail (or, with CASCADE, go too).',
    example: {
      bad: 'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;',
      good:
        "SET lock_timeout = '2s';\n-- lockguard-ignore drop-constraint: customers are soft-deleted now; no code relies on the foreign key\n" +
        'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;',
    },
    instead:
      'Check that nothing relies on the constraint (ON CONFLICT targets, queries using a unique index, data ' +
      'integrity the code assumes), set a short `lock_timeout` before the drop (and retry on timeout), and commit ' +
      'right after it. Constraints added earlier in the same migration, constraints of tables it creates, and down ' +
      'migrations are exempt, and so are constraints the migration adds back (a replacement: the new constraint is ' +
      'checked by its own rules), whose table it drops (reported by `drop-table`), or that involve a column the same ' +
      'ALTER TABLE drops (PostgreSQL drops them with the column anyway; `drop-column` reports it), and a UNIQUE or PRIMARY KEY ' +
      'that the same ALTER TABLE replaces by a UNIQUE or PRIMARY KEY on the same columns (no index is lost).',
  },
  facts: [
    dropForeignKeyFact('lock_probe_child', 'the table'),
    dropForeignKeyFact('lock_probe', 'the referenced table, when the constraint is a foreign key'),
  ],
  fixChecks: [],
  check(statement, context) {
    const table = statement.kind === 'parsed' && nodeAs(statement, 'AlterTableStmt') ? statement.targets[0] : undefined;
    if (!table || statement.kind !== 'parsed' || !statement.alterTableCommands.some((cmd) => cmd.subtype === 'AT_DropConstraint')) return [];
    if (isRevertingMigration(statement, context)) return [];
    const end = context.statements.length;
    // Dropping the whole table later (drop-table reports it) or adding the constraint back (a replacement) leaves nothing to say here.
    if (dropsTable(context, table, statement.index + 1, end)) return [];
    const goesWithColumn = droppedWithColumn(statement, context, table);
    const replaced = replacedByKey(statement, context, table);
    const reported = (name: string) =>
      !isConstraintNewInFile(context, table, name, statement.index) &&
      !addsConstraint(context, table, name, statement.index, end) &&
      !goesWithColumn(name) &&
      !replaced(name);
    const dropped = statement.alterTableCommands.flatMap((cmd, index) =>
      cmd.subtype === 'AT_DropConstraint' && cmd.name !== undefined && reported(cmd.name) && !(cmd.missing_ok && droppedEarlier(context, statement, table, cmd.name)) ? [{ name: cmd.name, index }] : [],
    );
    const [first] = dropped;
    if (!first) return [];
    const names = dropped.map(({ name }) => quoteIdentifier(name)).join(', ');
    const known = context.schema.before(statement.index).constraints(table);
    const constraints = dropped.map(({ name }) => known.find((constraint) => constraint.name === name));
    return [
      {
        message:
          `DROP CONSTRAINT ${names} takes an ACCESS EXCLUSIVE lock on ${displayRelation(table)}${referencedTablesClause(constraints)}: ` +
          `reads and writes queue behind it while it waits for running queries.${droppedKeysClause(constraints, statement, context, table)} ` +
          (isLockTimeoutInForce(statement, context) ? 'Check nothing relies on it.' : 'Check nothing relies on it, and set a short lock_timeout first.'),
        range: alterTableClause(statement, first.index),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: table, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        safeAlternative: 'A short lock_timeout before it and a quick commit after it, once nothing relies on the constraint.',
      },
    ];
  },
};

/** The tables the dropped foreign keys reference (locked too), or a general clause when the schema does not know every constraint. */
function referencedTablesClause(constraints: readonly (ConstraintState | undefined)[]): string {
  if (constraints.includes(undefined)) return ' (and, for a foreign key, on the table it references)';
  const referenced = [...new Set(constraints.flatMap((constraint) => (constraint?.kind === 'foreign-key' && constraint.references ? [displayRelation(constraint.references)] : [])))];
  return referenced.length > 0 ? ` and on ${referenced.join(', ')}, which its foreign key references` : '';
}

/**
 * What dropping a UNIQUE or PRIMARY KEY costs beyond the lock: ON CONFLICT on its columns fails, and lookups lose the index
 * unless a later statement of the same section indexes the same columns. Nothing when the schema shows no key among them.
 */
function droppedKeysClause(constraints: readonly (ConstraintState | undefined)[], statement: ParsedStatement, context: RuleContext, table: RelationName): string {
  if (constraints.includes(undefined)) return ' A dropped UNIQUE or PRIMARY KEY also drops its index: INSERT … ON CONFLICT on its columns fails and lookups may become full scans.';
  const keys = constraints.filter((constraint) => constraint?.kind === 'unique' || constraint?.kind === 'primary-key');
  if (keys.length === 0) return '';
  const later = context.schema.before(context.statements.length).indexes(table).filter((index) => {
    const by = index.createdAt === undefined ? undefined : context.statements[index.createdAt];
    return by !== undefined && by.index > statement.index && by.section === statement.section;
  });
  const reindexed = keys.every((key) => later.some((index) => sameColumnSet(index.columns.slice(0, key!.columns.length), key!.columns)));
  const lookups = reindexed ? ' (lookups keep the index the migration builds on the same columns)' : ' and lookups may become full scans';
  return ` The dropped ${keys.length > 1 ? 'keys also drop their indexes' : 'key also drops its index'}: INSERT … ON CONFLICT on ${keys.length > 1 ? 'their' : 'its'} columns fails${lookups}.`;
}

const sameColumnSet = (columns: readonly (string | undefined)[], key: readonly string[]) => columns.length === key.length && key.every((column) => columns.includes(column));

/**
 * Whether an earlier statement of the file's section already dropped the constraint, and nothing
 * added it back since: then DROP CONSTRAINT IF EXISTS finds nothing to drop (a repeat in another
 * branch of a DO block, say), and the earlier drop is the one reported.
 */
function droppedEarlier(context: RuleContext, statement: ParsedStatement, table: RelationName, constraint: string): boolean {
  const drops = alterationsOf(context, table, 0, statement.index).filter(
    (candidate) => candidate.section === statement.section && candidate.alterTableCommands.some((cmd) => cmd.subtype === 'AT_DropConstraint' && cmd.name === constraint),
  );
  const earlier = drops.at(-1);
  return earlier !== undefined && !addsConstraint(context, table, constraint, earlier.index + 1, statement.index);
}

/**
 * Whether the constraint involves a column the same statement drops (the schema history knows its
 * columns): PostgreSQL drops a column's table constraints with it, so this DROP CONSTRAINT changes
 * nothing the statement would not do anyway, and drop-column reports the drop and its lock.
 */
function droppedWithColumn(statement: ParsedStatement, context: RuleContext, table: RelationName): (constraint: string) => boolean {
  const columns = statement.alterTableCommands.flatMap((cmd) => (cmd.subtype === 'AT_DropColumn' && cmd.name !== undefined ? [cmd.name] : []));
  if (columns.length === 0) return () => false;
  const known = context.schema.before(statement.index).constraints(table);
  return (name) => known.some((constraint) => constraint.name === name && constraint.columns.some((column) => columns.includes(column)));
}

/**
 * Whether the constraint is a UNIQUE or PRIMARY KEY (as the schema history knows it) that the same
 * statement replaces with a UNIQUE or PRIMARY KEY on the same columns (in any order: ON CONFLICT
 * infers the key from the set): uniqueness and an index on those columns stay, and the statement's lock
 * is reported with the key it adds (unique-constraint-builds-index).
 */
function replacedByKey(statement: ParsedStatement, context: RuleContext, table: RelationName): (constraint: string) => boolean {
  const keys = addedConstraints(statement).flatMap(({ constraint, column }) => {
    if (constraint.contype !== 'CONSTR_PRIMARY' && constraint.contype !== 'CONSTR_UNIQUE') return [];
    const columns = column?.colname ? [column.colname] : (constraint.keys ?? []).flatMap((key) => ('String' in key && key.String.sval ? [key.String.sval] : []));
    return [[...columns].sort().join(',')];
  });
  if (keys.length === 0) return () => false;
  const known = context.schema.before(statement.index).constraints(table);
  return (name) =>
    known.some((constraint) => constraint.name === name && (constraint.kind === 'unique' || constraint.kind === 'primary-key') && keys.includes([...constraint.columns].sort().join(',')));
}

function dropForeignKeyFact(relation: string, on: string): LockFact {
  return {
    kind: 'lock',
    statement: 'ALTER TABLE table DROP CONSTRAINT foreign_key',
    mode: 'ACCESS EXCLUSIVE',
    on,
    blocks: blockedOperations('ACCESS EXCLUSIVE'),
    rewrite: false,
    fullScan: false,
    versions: { from: 10 },
    source: DOCS_ALTER_TABLE,
    probe: { setup: PROBE_FOREIGN_KEY_SETUP, statement: PROBE_DROP_FOREIGN_KEY, relation },
  };
}
