import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { moveAfterTransaction } from './fixes/transaction-block';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Report, Rule, RuleContext } from './rule';
import {
  addedConstraints,
  constraintHeadline,
  insertAfterStatement,
  insertAfterTransaction,
  lockPhrase,
  notValidFix,
  quoteIdentifier,
  tableText,
  validatesExistingRows,
} from './support/constraints';
import { notNullProof, provenNotNull } from './support/not-null';
import { holdsFewRowsOrNone } from './support/tables-with-rows';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-DESC-SET-DROP-NOT-NULL';
const SET_NOT_NULL = 'ALTER TABLE lock_probe ALTER COLUMN customer_id SET NOT NULL';
const CHECK_PROOF = 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_id_not_null_check CHECK (customer_id IS NOT NULL)';
const ADD_NOT_NULL_NOT_VALID = 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_id_not_null NOT NULL customer_id NOT VALID';

/**
 * SET NOT NULL scans the whole table under ACCESS EXCLUSIVE to prove there is no NULL, unless
 * (PostgreSQL 12+) a validated CHECK (col IS NOT NULL) already proves it.
 */
export const setNotNull: Rule = {
  id: 'set-not-null',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'SET NOT NULL on an existing table blocks all reads and writes while every row is scanned.',
    why:
      '`ALTER TABLE … ALTER COLUMN … SET NOT NULL` takes an ACCESS EXCLUSIVE lock and scans the whole table to check ' +
      'that no row holds NULL. Until the scan ends every query on the table waits, reads included. Since PostgreSQL 12 ' +
      'the scan is skipped when a validated `CHECK (col IS NOT NULL)` constraint already proves the column has no NULL; ' +
      'before 12 it always scans. PostgreSQL 18 also accepts `ADD CONSTRAINT … NOT NULL col NOT VALID`, validated later.',
    example: {
      bad: 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;',
      good:
        'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null_check CHECK (customer_id IS NOT NULL) NOT VALID;\n' +
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null_check;\n' +
        'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;\n' +
        'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null_check;',
    },
    instead:
      'PostgreSQL 12 to 17: add `CHECK (col IS NOT NULL) NOT VALID` (a brief lock), `VALIDATE CONSTRAINT` it in its own ' +
      'transaction (scans under SHARE UPDATE EXCLUSIVE: reads and writes continue), then `SET NOT NULL` — which uses the ' +
      'validated CHECK instead of scanning — and drop the CHECK. VALIDATE must not run in the transaction that added the ' +
      'CHECK (its ACCESS EXCLUSIVE lock would be held through the scan); when the migration tool wraps each file in a ' +
      'transaction, validate and set NOT NULL in the next migration. PostgreSQL 18: `ADD CONSTRAINT … NOT NULL col NOT VALID`, ' +
      'then `VALIDATE CONSTRAINT`. Before PostgreSQL 12, SET NOT NULL always scans: a validated CHECK (col IS NOT NULL) can ' +
      'stand in for NOT NULL. Tables created earlier in the same migration are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ALTER COLUMN col SET NOT NULL',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, scanned for NULLs',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: SET_NOT_NULL, relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ALTER COLUMN col SET NOT NULL after a validated CHECK (col IS NOT NULL): no scan, brief lock',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (no scan)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 12 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: [...PROBE_TABLE_SETUP, CHECK_PROOF], statement: SET_NOT_NULL, relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD CONSTRAINT … NOT NULL col NOT VALID (no scan)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (no scan)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 18 },
      source: 'https://www.postgresql.org/docs/18/sql-altertable.html',
      probe: { setup: PROBE_TABLE_SETUP, statement: ADD_NOT_NULL_NOT_VALID, relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table VALIDATE CONSTRAINT of a NOT VALID not-null constraint',
      mode: 'SHARE UPDATE EXCLUSIVE',
      on: 'the table, scanned',
      blocks: blockedOperations('SHARE UPDATE EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 18 },
      source: 'https://www.postgresql.org/docs/18/sql-altertable.html',
      probe: { setup: [...PROBE_TABLE_SETUP, ADD_NOT_NULL_NOT_VALID], statement: 'ALTER TABLE lock_probe VALIDATE CONSTRAINT lock_probe_customer_id_not_null', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    { setup: PROBE_TABLE_SETUP, migration: `${SET_NOT_NULL};\n` },
    { setup: PROBE_TABLE_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN note text DEFAULT \'\';\nALTER TABLE lock_probe ALTER COLUMN note SET NOT NULL, ALTER COLUMN customer_id SET NOT NULL;\nCOMMIT;\n' },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed' || !nodeAs(statement, 'AlterTableStmt')) return [];
    // Only SET NOT NULL and an added NOT NULL constraint are reported: other statements never look at the file.
    if (!(statement.alterTableCommands.some((cmd) => cmd.subtype === 'AT_SetNotNull' && cmd.name !== undefined) || addedConstraints(statement).some(({ constraint, column }) => !column && constraint.contype === 'CONSTR_NOTNULL' && validatesExistingRows(constraint)))) return [];
    const table = statement.targets[0]!;
    if (holdsFewRowsOrNone(context, table, statement.index)) return [];
    const { pgVersion } = context.options;
    const columns = statement.alterTableCommands
      .flatMap((cmd) => (cmd.subtype === 'AT_SetNotNull' && cmd.name !== undefined ? [cmd.name] : []))
      .filter((column) => pgVersion < 12 || !provenNotNull(context, statement.index, table, column));
    // ADD CONSTRAINT … NOT NULL col (PostgreSQL 18); an inline NOT NULL of ADD COLUMN is filled by its default, not scanned.
    const notNullConstraints = addedConstraints(statement).filter(({ constraint, column }) => !column && constraint.contype === 'CONSTR_NOTNULL' && validatesExistingRows(constraint));
    const mode = locksOf(statement, pgVersion)[0]?.mode ?? 'ACCESS EXCLUSIVE';
    const report = (range: OffsetRange, what: string): Report => ({
      message:
        `${what} takes ${lockPhrase(mode)} on ${displayRelation(table)} and scans every row for NULLs: all reads and writes on it ` +
        `wait until the scan ends (minutes on a large table). ${advice(pgVersion)}`,
      range,
      lock: { mode, relation: table, blocks: blockedOperations(mode) },
      safeAlternative: advice(pgVersion),
    });
    const reports: Report[] = notNullConstraints.map((added) => ({
      ...report(constraintHeadline(statement, added, 'NULL'), 'Adding this NOT NULL constraint'),
      fixes: [notValidFix(statement, context, added, 'CHECK')],
    }));
    if (columns.length > 0) {
      const fix = setNotNullFix(statement, context, columns);
      const base = report(setNotNullRange(statement), `SET NOT NULL on ${columns.join(', ')}`);
      reports.unshift(typeof fix === 'string' ? { ...base, noFixReason: fix } : { ...base, fixes: [fix] });
    }
    return reports;
  },
};

function advice(pgVersion: number): string {
  if (pgVersion >= 18) return 'Add the constraint as NOT NULL … NOT VALID and VALIDATE it in a separate transaction (reads and writes continue).';
  if (pgVersion >= 12) return 'First add CHECK (col IS NOT NULL) NOT VALID and VALIDATE it in a separate transaction: SET NOT NULL then skips the scan.';
  return 'Before PostgreSQL 12, SET NOT NULL always scans, even when a CHECK (col IS NOT NULL) proves it: a validated CHECK constraint can stand in for NOT NULL.';
}

/** From the first SET of `SET NOT NULL` to its NULL. */
function setNotNullRange(statement: ParsedStatement): OffsetRange {
  const tokens = statement.tokens;
  const at = tokens.findIndex((token, i) => token.value === 'SET' && tokens[i + 1]?.value === 'NOT' && tokens[i + 2]?.value === 'NULL');
  return at === -1 ? statement.range : { start: tokens[at]!.start, end: tokens[at + 2]!.end };
}

/**
 * PostgreSQL 18: the statement becomes ADD CONSTRAINT … NOT NULL col NOT VALID + VALIDATE (one SET NOT NULL only).
 * 12–17: CHECK (col IS NOT NULL) NOT VALID, VALIDATE, the SET NOT NULL, DROP the CHECK — after COMMIT in a transaction block.
 */
function setNotNullFix(statement: ParsedStatement, context: RuleContext, columns: readonly string[]): Fix | string {
  const { pgVersion } = context.options;
  if (pgVersion < 12) return advice(pgVersion);
  if (statement.transaction.kind === 'implicit') {
    return (
      `${statement.transaction.tool.name} runs this whole file in one transaction, where VALIDATE would hold the lock of the ADD through its scan: ` +
      'add the constraint NOT VALID in this migration, and VALIDATE it (then SET NOT NULL) in the next one.'
    );
  }
  const table = tableText(statement, context);
  const onlyCommand = statement.alterTableCommands.length === 1;
  if (pgVersion >= 18 && onlyCommand) {
    const name = quoteIdentifier(`${statement.targets[0]!.name}_${columns[0]!}_not_null`);
    const validate = insertAfterTransaction(statement, context, `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`);
    if (typeof validate === 'string') return validate;
    const add = `ALTER TABLE ${table} ADD CONSTRAINT ${name} NOT NULL ${quoteIdentifier(columns[0]!)} NOT VALID`;
    return { title: 'Add the NOT NULL constraint NOT VALID, then VALIDATE it in its own transaction', edits: [{ range: statement.range, newText: add }, validate], preferred: true, autoApplicable: false };
  }
  const { prove, drop } = notNullProof(statement.targets[0]!, table, columns);
  const title = 'Prove NOT NULL with a CHECK (col IS NOT NULL) NOT VALID + VALIDATE first, so SET NOT NULL skips the scan';
  if (statement.transaction.kind === 'autocommit') {
    return { title, edits: [{ range: { start: statement.range.start, end: statement.range.start }, newText: `${prove.join(';\n')};\n` }, insertAfterStatement(statement, context.source, drop.join(';\n'))], preferred: true, autoApplicable: false };
  }
  return moveAfterTransaction(statement, context.statements, context.source, [...prove, statement.text, ...drop].join(';\n'), `${title} (after COMMIT)`);
}
