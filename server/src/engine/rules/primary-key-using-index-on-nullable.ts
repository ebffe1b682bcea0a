import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, sameRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { Fix, Rule, RuleContext } from './rule';
import { addedConstraints, constraintHeadline, insertAfterStatement, quoteIdentifier, tableText } from './support/constraints';
import { knownNullable, notNullProof, provenNotNull } from './support/not-null';
import { holdsFewRowsOrNone } from './support/tables-with-rows';

const PROBE_SETUP = [
  'CREATE TABLE lock_probe_pk (id int, note text)',
  'INSERT INTO lock_probe_pk SELECT g, g::text FROM generate_series(1, 1000) g',
  'CREATE UNIQUE INDEX lock_probe_pk_id_idx ON lock_probe_pk (id)',
];

/**
 * ADD PRIMARY KEY USING INDEX looks instant, but a primary key needs NOT NULL columns: on a
 * nullable column PostgreSQL sets NOT NULL itself, scanning the table under ACCESS EXCLUSIVE.
 * Reported only when the file shows the column nullable, so an unknown column never raises it.
 */
export const primaryKeyUsingIndexOnNullable: Rule = {
  id: 'primary-key-using-index-on-nullable',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ADD PRIMARY KEY USING INDEX on a column that may hold NULLs scans the table under ACCESS EXCLUSIVE to set it NOT NULL.',
    why:
      '`ALTER TABLE … ADD PRIMARY KEY USING INDEX` is the fast way to add a primary key — unless a key column is nullable. ' +
      'Then PostgreSQL runs an implicit `SET NOT NULL`, which scans the whole table to check for NULLs while holding the ' +
      'ACCESS EXCLUSIVE lock: every read and write waits. Lockguard reports it when the migration itself shows the column ' +
      'nullable (it adds the column without NOT NULL, or drops its NOT NULL).',
    example: {
      bad:
        'ALTER TABLE orders ADD COLUMN uid uuid;\n-- … backfill uid …\nCREATE UNIQUE INDEX CONCURRENTLY orders_uid_idx ON orders (uid);\n' +
        'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_uid_idx;',
      good:
        'ALTER TABLE orders ADD COLUMN uid uuid;\n-- … backfill uid …\nCREATE UNIQUE INDEX CONCURRENTLY orders_uid_idx ON orders (uid);\n' +
        'ALTER TABLE orders ADD CONSTRAINT orders_uid_not_null_check CHECK (uid IS NOT NULL) NOT VALID;\n' +
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_uid_not_null_check;\n' +
        'ALTER TABLE orders ALTER COLUMN uid SET NOT NULL;\n' +
        'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_uid_idx;\n' +
        'ALTER TABLE orders DROP CONSTRAINT orders_uid_not_null_check;',
    },
    instead:
      'Make the columns NOT NULL first without the long lock (PostgreSQL 12+): add `CHECK (col IS NOT NULL) NOT VALID`, ' +
      '`VALIDATE CONSTRAINT` it in its own transaction, then `SET NOT NULL` (which uses the CHECK instead of scanning), ' +
      'and add the primary key. Before PostgreSQL 12, SET NOT NULL always scans.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD PRIMARY KEY USING INDEX index, on a nullable column',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, scanned to set the column NOT NULL',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX',
      probe: { setup: PROBE_SETUP, statement: 'ALTER TABLE lock_probe_pk ADD CONSTRAINT lock_probe_pk_pkey PRIMARY KEY USING INDEX lock_probe_pk_id_idx', relation: 'lock_probe_pk' },
    },
  ],
  fixChecks: [
    {
      setup: PROBE_SETUP.slice(0, 2),
      migration:
        'ALTER TABLE lock_probe_pk ADD COLUMN code int;\nUPDATE lock_probe_pk SET code = id WHERE code IS NULL;\n' +
        'CREATE UNIQUE INDEX CONCURRENTLY lock_probe_pk_code_idx ON lock_probe_pk (code);\n' +
        'ALTER TABLE lock_probe_pk ADD CONSTRAINT lock_probe_pk_pkey PRIMARY KEY USING INDEX lock_probe_pk_code_idx;\n',
    },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed' || !nodeAs(statement, 'AlterTableStmt')) return [];
    // Only a statement that adds such a constraint is reported: the others never look at the file.
    if (!addedConstraints(statement).some(({ constraint }) => constraint.contype === 'CONSTR_PRIMARY' && constraint.indexname !== undefined)) return [];
    const table = statement.targets[0]!;
    if (holdsFewRowsOrNone(context, table, statement.index)) return [];
    const { pgVersion } = context.options;
    return addedConstraints(statement)
      .filter(({ constraint }) => constraint.contype === 'CONSTR_PRIMARY' && constraint.indexname !== undefined)
      .flatMap((added) => {
        const columns = indexColumns(statement, context, table, added.constraint.indexname!)
          .filter((column) => knownNullable(context, statement.index, table, column) || declaredNullable(context, statement.index, table, column))
          .filter((column) => pgVersion < 12 || !provenNotNull(context, statement.index, table, column));
        if (columns.length === 0) return [];
        const list = columns.join(', ');
        const report = {
          message:
            `ADD PRIMARY KEY USING INDEX must set ${list} NOT NULL, and this file adds ${list} as nullable: PostgreSQL scans every ` +
            `row of ${displayRelation(table)} for NULLs while holding an ACCESS EXCLUSIVE lock, and all reads and writes wait. ` +
            (pgVersion >= 12
              ? 'Make the column NOT NULL first: CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL.'
              : 'Before PostgreSQL 12 setting NOT NULL always scans: run it at a quiet time with a short lock_timeout.'),
          range: constraintHeadline(statement, added, 'KEY'),
          lock: { mode: 'ACCESS EXCLUSIVE' as const, relation: table, blocks: blockedOperations('ACCESS EXCLUSIVE') },
          safeAlternative: 'Prove NOT NULL with a validated CHECK (col IS NOT NULL) and SET NOT NULL before adding the primary key.',
        };
        const fix = proveFirst(statement, context, table, columns);
        return [typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] }];
      });
  },
};

/**
 * The plain columns of the index, when an earlier statement of the file creates it on this table, or
 * else when the earlier migrations of the file's set do (the schema catalogue).
 */
function indexColumns(statement: ParsedStatement, context: RuleContext, table: RelationName, indexName: string): string[] {
  for (const earlier of context.statements.slice(0, statement.index).reverse()) {
    const index = nodeAs(earlier, 'IndexStmt');
    if (index?.idxname !== indexName || !index.relation?.relname) continue;
    if (!sameRelation({ schema: index.relation.schemaname, name: index.relation.relname }, table)) return [];
    return (index.indexParams ?? []).flatMap((param) => ('IndexElem' in param && param.IndexElem.name !== undefined ? [param.IndexElem.name] : []));
  }
  const index = context.schema
    .before(statement.index)
    .indexes(table)
    .find((candidate) => candidate.name.name === indexName);
  return (index?.columns ?? []).flatMap((column) => (column === undefined ? [] : [column]));
}

/**
 * Whether the schema the earlier migrations of the set declared (e.g. `CREATE TABLE t (c int)`, as
 * followed through this file) leaves the column nullable.
 */
function declaredNullable(context: RuleContext, beforeStatement: number, table: RelationName, column: string): boolean {
  return context.schema.before(beforeStatement).column(table, column)?.notNull === false;
}

/** In autocommit (PostgreSQL 12+): prove and set NOT NULL before the statement, drop the CHECK after it. */
function proveFirst(statement: ParsedStatement, context: RuleContext, table: RelationName, columns: readonly string[]): Fix | string {
  if (context.options.pgVersion < 12) return 'Before PostgreSQL 12 there is no way to set NOT NULL without scanning under ACCESS EXCLUSIVE.';
  if (statement.transaction.kind !== 'autocommit') {
    return 'VALIDATE CONSTRAINT must run outside the transaction that adds the CHECK: prove and set NOT NULL in an earlier migration (or before the transaction).';
  }
  const text = tableText(statement, context);
  const { prove, drop } = notNullProof(table, text, columns);
  const setNotNull = `ALTER TABLE ${text} ${columns.map((column) => `ALTER COLUMN ${quoteIdentifier(column)} SET NOT NULL`).join(', ')}`;
  return {
    title: 'Set the columns NOT NULL first, proven by a validated CHECK, so the primary key needs no scan',
    edits: [{ range: { start: statement.range.start, end: statement.range.start }, newText: `${[...prove, setNotNull].join(';\n')};\n` }, insertAfterStatement(statement, context.source, drop.join(';\n'))],
    preferred: true,
    autoApplicable: false,
  };
}
