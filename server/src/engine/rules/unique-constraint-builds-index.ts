import type { Constraint } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { moveAfterTransaction } from './fixes/transaction-block';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Rule, RuleContext } from './rule';
import { addedConstraints, constraintHeadline, constraintName, lockPhrase, namesOf, quoteIdentifier, tableText, type AddedConstraint } from './support/constraints';
import { holdsFewRowsOrNone } from './support/tables-with-rows';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-ADD-TABLE-CONSTRAINT-USING-INDEX';
const UNIQUE_INDEX_SETUP = [...PROBE_TABLE_SETUP, 'CREATE UNIQUE INDEX lock_probe_id_customer_key ON lock_probe (id, customer_id)'];
const NO_KEY_SETUP = ['CREATE TABLE lock_probe_nokey (id int NOT NULL, note text)', 'INSERT INTO lock_probe_nokey SELECT g, g::text FROM generate_series(1, 1000) g'];

/**
 * ADD UNIQUE / ADD PRIMARY KEY builds the constraint's index while holding ACCESS EXCLUSIVE on the
 * table. Building the index concurrently first and attaching it with USING INDEX keeps the lock brief.
 */
export const uniqueConstraintBuildsIndex: Rule = {
  id: 'unique-constraint-builds-index',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'ADD UNIQUE or ADD PRIMARY KEY on an existing table builds its index while all reads and writes wait.',
    why:
      '`ALTER TABLE … ADD UNIQUE (…)` and `ADD PRIMARY KEY (…)` (also inline in `ADD COLUMN`) build a unique index while ' +
      'holding an ACCESS EXCLUSIVE lock on the table: every query on it, reads included, waits for the whole build — ' +
      'minutes on a large table. A primary key also scans the table to set its columns NOT NULL.',
    example: {
      bad: 'ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref);',
      good:
        'CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key ON orders (ref);\n' +
        'ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_key;',
    },
    instead:
      'Build the index with `CREATE UNIQUE INDEX CONCURRENTLY` (reads and writes continue; it cannot run inside a ' +
      'transaction block), then attach it with `ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX` (or `PRIMARY KEY USING ' +
      'INDEX`), which takes its ACCESS EXCLUSIVE lock only for a moment. For a primary key, make the columns NOT NULL ' +
      'first (see set-not-null), or `USING INDEX` scans to set them. If the concurrent build fails, it leaves an INVALID ' +
      'index: drop it and retry. Partitioned tables cannot build indexes concurrently. Tables created earlier in the same ' +
      'migration are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD UNIQUE (…)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, while the index is built',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_customer_key UNIQUE (id, customer_id)', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD PRIMARY KEY (…)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, while the index is built',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: NO_KEY_SETUP, statement: 'ALTER TABLE lock_probe_nokey ADD PRIMARY KEY (id)', relation: 'lock_probe_nokey' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD CONSTRAINT … UNIQUE USING INDEX (the safe second step: no build, brief)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (no scan)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: UNIQUE_INDEX_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_customer_key UNIQUE USING INDEX lock_probe_id_customer_key', relation: 'lock_probe' },
    },
    {
      kind: 'failure',
      statement: 'ALTER TABLE table ADD UNIQUE (…) NOT VALID (there is no NOT VALID form)',
      sqlstate: '0A000',
      message: 'UNIQUE constraints cannot be marked NOT VALID',
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_key UNIQUE (customer_id) NOT VALID' },
    },
  ],
  fixChecks: [
    { setup: PROBE_TABLE_SETUP, migration: 'ALTER TABLE lock_probe ADD UNIQUE (id, customer_id);\n' },
    { setup: NO_KEY_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe_nokey ADD COLUMN extra int;\nALTER TABLE lock_probe_nokey ADD CONSTRAINT lock_probe_nokey_pk PRIMARY KEY (id);\nCOMMIT;\n' },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed' || !nodeAs(statement, 'AlterTableStmt')) return [];
    const builds = addedConstraints(statement).filter(({ constraint }) => (constraint.contype === 'CONSTR_UNIQUE' || constraint.contype === 'CONSTR_PRIMARY') && !constraint.indexname);
    // Only a statement that adds such a constraint is reported: the others never look at the file.
    if (builds.length === 0) return [];
    const table = statement.targets[0]!;
    if (holdsFewRowsOrNone(context, table, statement.index)) return [];
    const mode = locksOf(statement, context.options.pgVersion)[0]?.mode ?? 'ACCESS EXCLUSIVE';
    return builds.map((added) => {
      const kind = added.constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
      const report = {
        message:
          `ADD ${kind} builds a unique index on ${displayRelation(table)} while holding ${lockPhrase(mode)} on it: all reads and ` +
          `writes wait until the build ends (minutes on a large table). Build the index with CREATE UNIQUE INDEX CONCURRENTLY, ` +
          `then attach it with ADD CONSTRAINT … ${kind} USING INDEX.`,
        range: constraintHeadline(statement, added, kind === 'UNIQUE' ? 'UNIQUE' : 'KEY'),
        lock: { mode, relation: table, blocks: blockedOperations(mode) },
        safeAlternative: `CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … ${kind} USING INDEX (brief lock).`,
      };
      const fix = usingIndexFix(statement, context, added, kind);
      return typeof fix === 'string' ? { ...report, noFixReason: fix } : { ...report, fixes: [fix] };
    });
  },
};

/** CREATE UNIQUE INDEX CONCURRENTLY + ADD CONSTRAINT … USING INDEX in place of the statement, or why not. */
function usingIndexFix(statement: ParsedStatement, context: RuleContext, added: AddedConstraint, kind: string): Fix | string {
  if (added.column) return `Add the column first, then build the index concurrently and attach it with ADD CONSTRAINT … ${kind} USING INDEX.`;
  if (statement.alterTableCommands.length > 1) return 'This ALTER TABLE does more than add the constraint: split it, then build the index concurrently and attach it with USING INDEX.';
  const unsupported = unsupportedOption(added.constraint);
  if (unsupported) return `The constraint uses ${unsupported}, which this rewrite does not carry over: write CREATE UNIQUE INDEX CONCURRENTLY and ADD CONSTRAINT … ${kind} USING INDEX by hand.`;
  const table = tableText(statement, context);
  const name = quoteIdentifier(constraintName(statement.targets[0]!, added));
  const columns = namesOf(added.constraint.keys).map(quoteIdentifier).join(', ');
  const rewritten = `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${table} (${columns});\nALTER TABLE ${table} ADD CONSTRAINT ${name} ${kind} USING INDEX ${name}`;
  const title = `Build the index with CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … ${kind} USING INDEX${kind === 'PRIMARY KEY' ? ' (columns not yet NOT NULL are then set NOT NULL with a scan)' : ''}`;
  if (statement.transaction.kind === 'autocommit') {
    // Not auto-applied: CONCURRENTLY fails on a partitioned table, which the file may not show.
    return { title, edits: [{ range: statement.range, newText: rewritten }], preferred: true, autoApplicable: false };
  }
  return moveAfterTransaction(statement, context.statements, context.source, rewritten, `${title}, after COMMIT (CONCURRENTLY cannot run inside a transaction block)`);
}

function unsupportedOption(constraint: Constraint): string | undefined {
  if (constraint.including?.length) return 'INCLUDE';
  if (constraint.options?.length) return 'WITH (storage parameters)';
  if (constraint.indexspace) return 'USING INDEX TABLESPACE';
  if (constraint.nulls_not_distinct) return 'NULLS NOT DISTINCT';
  if (constraint.without_overlaps) return 'WITHOUT OVERLAPS';
  if (constraint.deferrable || constraint.initdeferred) return 'DEFERRABLE';
  return undefined;
}
