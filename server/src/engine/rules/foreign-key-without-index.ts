import type { Constraint, Node } from '@pgsql/types';
import { displayRelation, relationFromRangeVar, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { perFile, type Fix, type Rule, type RuleContext } from './rule';
import { addsColumn } from './support/breaking-changes';
import { addedConstraints, constraintsOf, foreignKeyColumns, insertAfterStatement, insertAfterTransaction, keywordIn, namesOf, quoteIdentifier, tableText } from './support/constraints';
import { PROBE_PARENT_SETUP } from './probe-fixtures';

/** A foreign key a statement declares, with the columns that reference. */
interface DeclaredForeignKey {
  columns: string[];
  referenced: RelationName | undefined;
  range: OffsetRange;
}

/**
 * A foreign key whose referencing columns have no index makes every DELETE (and key UPDATE) on the
 * referenced table scan the referencing table. Reported only when the file shows there can be no
 * such index: the referencing columns are new (the table or the columns are created in the file)
 * and no index or key of the file starts with them.
 */
export const foreignKeyWithoutIndex: Rule = {
  id: 'foreign-key-without-index',
  severity: 'warning',
  category: 'rewrites',
  docs: {
    summary: 'A foreign key on new columns that no index of the migration covers: deletes on the referenced table scan the referencing one.',
    why:
      'PostgreSQL indexes the referenced side of a foreign key (it must be a primary key or unique), but not the ' +
      'referencing columns. Without an index on them, every DELETE of a referenced row — and every UPDATE of its key — ' +
      'scans the referencing table to find the rows that point to it, under a row lock, and `ON DELETE CASCADE` does so ' +
      'once per deleted row. Deletes that took milliseconds take seconds as the referencing table grows, and joins ' +
      'along the key cannot use an index. Lockguard reports it only when the migration shows the index cannot exist: ' +
      'the referencing columns are created by the migration and none of its indexes, primary keys or unique ' +
      'constraints starts with them.',
    example: {
      bad: 'CREATE TABLE order_lines (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES orders (id)\n);',
      good:
        'CREATE TABLE order_lines (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES orders (id)\n);\n' +
        'CREATE INDEX order_lines_order_id_idx ON order_lines (order_id);',
    },
    instead:
      'Create an index whose leading columns are the foreign key columns: in the same migration for a new table; with ' +
      '`CREATE INDEX CONCURRENTLY` (outside a transaction block) for an existing one. Skip it only when the referenced ' +
      'rows are never deleted nor their keys updated, and nothing joins along the key.',
  },
  facts: [],
  fixChecks: [
    {
      setup: PROBE_PARENT_SETUP,
      migration: 'CREATE TABLE lock_probe_child (id int PRIMARY KEY, parent_id int REFERENCES lock_probe_parent (id), note text);\n',
    },
    {
      setup: PROBE_PARENT_SETUP,
      migration: 'ALTER TABLE lock_probe ADD COLUMN parent_id int;\nALTER TABLE lock_probe ADD CONSTRAINT lock_probe_parent_fk FOREIGN KEY (parent_id) REFERENCES lock_probe_parent (id) NOT VALID;\n',
    },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const table = statement.targets[0];
    if (!table) return [];
    const declared = declaredForeignKeys(statement).filter((fk) => fk.columns.length > 0);
    // Most statements declare no foreign key: only those look at the rest of the file.
    if (declared.length === 0) return [];
    const newTable = nodeAs(statement, 'CreateStmt') !== undefined || context.isCreatedInFile(table, statement.index);
    return declared
      .filter((fk) => newTable || fk.columns.every((column) => columnAddedInFile(context, statement, table, column)))
      .map((fk) => ({ fk, covered: coveredInFile(context, table, fk.columns) }))
      .filter(({ fk, covered }) => covered.length < fk.columns.length)
      .map(({ fk, covered }) => {
        const columns = fk.columns.join(', ');
        const referenced = fk.referenced ? displayRelation(fk.referenced) : 'the referenced table';
        const lookup =
          covered.length === 0
            ? `No index of this migration covers ${displayRelation(table)} (${columns}), the referencing side of this foreign key: every ` +
              `DELETE on ${referenced} (and every update of its key) scans ${displayRelation(table)} for referencing rows`
            : `The indexes of this migration cover only (${covered.join(', ')}) of ${displayRelation(table)} (${columns}), the referencing side ` +
              `of this foreign key: every DELETE on ${referenced} (and every update of its key) reads every row of ${displayRelation(table)} ` +
              `with the same ${covered.join(', ')} to find the referencing ones`;
        const report = {
          message: `${lookup}, slower as it grows. Create an index on ${displayRelation(table)} (${columns}).`,
          range: fk.range,
          safeAlternative: `CREATE INDEX ON ${displayRelation(table)} (${columns})${newTable ? '' : ' — CONCURRENTLY, outside a transaction block'}.`,
        };
        const fix = indexFix(statement, context, fk.columns, newTable);
        return typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] };
      });
  },
};

function declaredForeignKeys(statement: ParsedStatement): DeclaredForeignKey[] {
  const fromConstraint = (constraint: Constraint, columns: string[]): DeclaredForeignKey => {
    const start = statement.locate(constraint.location ?? 0);
    const references = keywordIn(statement, { start, end: statement.range.end }, 'REFERENCES');
    return {
      columns,
      referenced: constraint.pktable ? relationFromRangeVar(constraint.pktable, statement.locate) : undefined,
      range: { start, end: references?.end ?? start },
    };
  };
  const create = nodeAs(statement, 'CreateStmt');
  if (create) {
    return (create.tableElts ?? []).flatMap((element) => {
      if ('Constraint' in element && element.Constraint.contype === 'CONSTR_FOREIGN') return [fromConstraint(element.Constraint, namesOf(element.Constraint.fk_attrs))];
      if (!('ColumnDef' in element)) return [];
      const column = element.ColumnDef;
      return constraintsOf(column.constraints)
        .filter((constraint) => constraint.contype === 'CONSTR_FOREIGN')
        .map((constraint) => fromConstraint(constraint, column.colname === undefined ? [] : [column.colname]));
    });
  }
  return addedConstraints(statement)
    .filter(({ constraint }) => constraint.contype === 'CONSTR_FOREIGN')
    .map((added) => fromConstraint(added.constraint, foreignKeyColumns(added)));
}

/** Whether an ADD COLUMN of this statement or an earlier one creates the column. */
function columnAddedInFile(context: RuleContext, statement: Statement, table: RelationName, column: string): boolean {
  return addsColumn(context, table, column, 0, statement.index + 1);
}

/**
 * The most of the columns that one index or key the file creates on the table starts with (in any
 * order): all of them when an index covers the foreign key; a part when one covers only its leading
 * columns (a primary key on (guild_id, user_id) for a key on (guild_id, case_id)); none otherwise.
 */
function coveredInFile(context: RuleContext, table: RelationName, columns: readonly string[]): readonly string[] {
  const wanted = new Set(columns);
  let covered: readonly string[] = [];
  for (const { keys } of (indexKeysByTableName(context.statements).get(table.name) ?? []).filter((indexed) => sameRelation(indexed.table, table))) {
    const leading = keys.findIndex((key) => key === undefined || !wanted.has(key));
    const prefix = (leading === -1 ? keys : keys.slice(0, leading)) as string[];
    if (prefix.length > covered.length) covered = prefix;
  }
  return covered;
}

/** The keys of every index and key the file creates, in statement order, by the name of their table. */
const indexKeysByTableName = perFile((statements: readonly Statement[]) => {
  const byName = new Map<string, { table: RelationName; keys: (string | undefined)[] }[]>();
  for (const statement of statements) {
    const table = statement.kind === 'parsed' ? statement.targets[0] : undefined;
    if (!table) continue;
    const indexed = indexKeysOn(statement, table).map((keys) => ({ table, keys }));
    if (indexed.length === 0) continue;
    const entries = byName.get(table.name);
    if (entries) entries.push(...indexed);
    else byName.set(table.name, indexed);
  }
  return byName;
});

/** The key columns of each index, primary key and unique constraint a statement creates on the table (undefined: an expression). */
function indexKeysOn(statement: Statement, table: RelationName): (string | undefined)[][] {
  if (statement.kind !== 'parsed' || !statement.targets[0] || !sameRelation(statement.targets[0], table)) return [];
  const index = nodeAs(statement, 'IndexStmt');
  if (index) return [(index.indexParams ?? []).map((param) => ('IndexElem' in param ? param.IndexElem.name : undefined))];
  const keyed = (constraint: Constraint) => constraint.contype === 'CONSTR_PRIMARY' || constraint.contype === 'CONSTR_UNIQUE';
  const create = nodeAs(statement, 'CreateStmt');
  if (create) {
    return (create.tableElts ?? []).flatMap((element: Node) => {
      if ('Constraint' in element) return keyed(element.Constraint) ? [namesOf(element.Constraint.keys)] : [];
      if (!('ColumnDef' in element)) return [];
      const column = element.ColumnDef.colname;
      return constraintsOf(element.ColumnDef.constraints).some(keyed) && column !== undefined ? [[column]] : [];
    });
  }
  return addedConstraints(statement)
    .filter(({ constraint }) => keyed(constraint) && !constraint.indexname)
    .map(({ constraint, column }) => (column?.colname !== undefined ? [column.colname] : namesOf(constraint.keys)));
}

/** CREATE INDEX right after the statement for a new table; CONCURRENTLY, outside any transaction block, for an existing one. */
function indexFix(statement: ParsedStatement, context: RuleContext, columns: readonly string[], newTable: boolean): Fix | string {
  const table = tableText(statement, context);
  const name = quoteIdentifier([statement.targets[0]!.name, ...columns, 'idx'].join('_'));
  const list = columns.map(quoteIdentifier).join(', ');
  if (newTable) {
    const edit = insertAfterStatement(statement, context.source, `CREATE INDEX ${name} ON ${table} (${list})`);
    return { title: `Index the foreign key: CREATE INDEX ${name}`, edits: [edit], preferred: true, autoApplicable: false };
  }
  const edit = insertAfterTransaction(statement, context, `CREATE INDEX CONCURRENTLY ${name} ON ${table} (${list})`);
  if (typeof edit === 'string') return edit;
  const where = statement.transaction.kind === 'autocommit' ? '' : ' after COMMIT (CONCURRENTLY cannot run inside a transaction block)';
  return { title: `Index the foreign key: CREATE INDEX CONCURRENTLY ${name}${where}`, edits: [edit], preferred: true, autoApplicable: false };
}
