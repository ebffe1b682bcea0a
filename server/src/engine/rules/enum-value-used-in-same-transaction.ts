import type { A_Const } from '@pgsql/types';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { refusedInTransaction } from './probe-fixtures';
import { perFile, type Report, type Rule, type RuleContext } from './rule';
import { earlierInSameTransaction, insertAfterStatement, namesOf, sameTransaction } from './support/constraints';

const DOCS_ALTER_TYPE = 'https://www.postgresql.org/docs/current/sql-altertype.html';
const PROBE_ENUM_SETUP = ["CREATE TYPE lock_probe_mood AS ENUM ('old')", 'CREATE TABLE lock_probe_moods (id int, mood lock_probe_mood)', "INSERT INTO lock_probe_moods VALUES (1, 'old')"];
/** Since PostgreSQL 12, ADD VALUE may run in a transaction block, but the value is unusable until COMMIT. */
const ADD_VALUE_IN_TRANSACTION_SINCE = 12;
/** Since PostgreSQL 17, values added to an enum type created in the same transaction are usable at once (measured: 13–16 refuse them). */
const NEW_TYPE_VALUES_USABLE_SINCE = 17;

interface EnumAddition {
  statement: ParsedStatement;
  type: string[];
  value: string;
}

/**
 * A value added by ALTER TYPE … ADD VALUE cannot be used before the adding transaction commits:
 * a later statement of the same transaction that uses it fails with "unsafe use of new value".
 */
export const enumValueUsedInSameTransaction: Rule = {
  id: 'enum-value-used-in-same-transaction',
  severity: 'error',
  category: 'transactions',
  docs: {
    summary: 'A value added with ALTER TYPE … ADD VALUE used later in the same transaction: the migration fails (SQLSTATE 55P04).',
    why:
      'Since PostgreSQL 12, `ALTER TYPE … ADD VALUE` may run inside a transaction block, but the new value cannot be ' +
      'used until that transaction commits: the first statement of the same transaction that uses it fails with ' +
      '`ERROR: unsafe use of new value "…" of enum type …` (SQLSTATE 55P04), and the migration stops. This includes ' +
      'the transaction a migration tool wraps the file in. Before PostgreSQL 12, ADD VALUE cannot run in a transaction ' +
      'block at all (reported by `concurrently-in-transaction`). The rule looks for the value as a string literal in ' +
      'the later statements of the transaction (casts, INSERT, UPDATE, defaults, CHECK and index predicates, ' +
      '`BEGIN ATOMIC` function bodies); quoted function bodies run later and are not uses, and DO blocks are not ' +
      'looked into. From PostgreSQL 17, values added to a type created earlier in ' +
      'the same transaction are usable at once (13–16 refuse them too).',
    example: {
      bad: "BEGIN;\nALTER TYPE order_status ADD VALUE 'archived';\nUPDATE orders SET status = 'archived' WHERE created_at < '2020-01-01';\nCOMMIT;",
      good: "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'archived';\n\nBEGIN;\nUPDATE orders SET status = 'archived' WHERE created_at < '2020-01-01';\nCOMMIT;",
    },
    instead:
      'Commit the ADD VALUE before the statements that use the value: end the transaction after it (the quick fix ' +
      'inserts `COMMIT; BEGIN;` there), or, when the migration tool wraps the whole file in one transaction, put the ' +
      'ADD VALUE in a migration of its own that runs first. `IF NOT EXISTS` makes it safe to re-run.',
  },
  facts: [
    {
      kind: 'failure',
      statement: "ALTER TYPE type ADD VALUE 'v', then a use of 'v' in the same transaction",
      sqlstate: '55P04',
      message: 'unsafe use of new value "new" of enum type lock_probe_mood',
      versions: { from: ADD_VALUE_IN_TRANSACTION_SINCE },
      source: DOCS_ALTER_TYPE,
      probe: { setup: PROBE_ENUM_SETUP, statement: "ALTER TYPE lock_probe_mood ADD VALUE 'new'; SELECT 'new'::lock_probe_mood" },
    },
    refusedInTransaction('ALTER TYPE ... ADD', DOCS_ALTER_TYPE, { setup: PROBE_ENUM_SETUP, statement: "ALTER TYPE lock_probe_mood ADD VALUE 'new'" }, { from: 10, until: ADD_VALUE_IN_TRANSACTION_SINCE - 1 }),
  ],
  fixChecks: [
    { setup: PROBE_ENUM_SETUP, migration: "BEGIN;\nALTER TYPE lock_probe_mood ADD VALUE 'new';\nUPDATE lock_probe_moods SET mood = 'new' WHERE id = 1;\nCOMMIT;\n" },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed' || statement.transaction.kind === 'autocommit' || nodeAs(statement, 'AlterEnumStmt')) return [];
    if (context.options.pgVersion < ADD_VALUE_IN_TRANSACTION_SINCE) return [];
    return additionsBefore(statement, context).flatMap((addition) => {
      const use = firstUse(statement, addition.value);
      if (!use || usedBetween(addition, statement, context)) return [];
      return [report(addition, use, statement, context)];
    });
  },
};

/** Index of the file's first ALTER TYPE on an enum (Infinity when none), found once per file: most files have none. */
const firstEnumAlteration = perFile((context: RuleContext): number => context.statements.find((candidate) => nodeAs(candidate, 'AlterEnumStmt'))?.index ?? Infinity);

/** The ADD VALUEs earlier in the statement's transaction whose value is not usable yet. */
function additionsBefore(statement: ParsedStatement, context: RuleContext): EnumAddition[] {
  if (firstEnumAlteration(context) >= statement.index) return [];
  const transaction = earlierInSameTransaction(statement, context);
  return transaction.flatMap((earlier) => {
    const alter = nodeAs(earlier, 'AlterEnumStmt');
    if (alter?.newVal === undefined || alter.oldVal !== undefined) return [];
    const type = namesOf(alter.typeName);
    const newType = context.options.pgVersion >= NEW_TYPE_VALUES_USABLE_SINCE && transaction.some((other) => other.index < earlier.index && sameType(namesOf(nodeAs(other, 'CreateEnumStmt')?.typeName), type));
    return newType ? [] : [{ statement: earlier, type, value: alter.newVal }];
  });
}

/** Only the first statement using the value is reported: the migration stops there. */
function usedBetween(addition: EnumAddition, statement: Statement, context: RuleContext): boolean {
  return context.statements
    .slice(addition.statement.index + 1, statement.index)
    .some((between) => between.kind === 'parsed' && sameTransaction(between.transaction, statement.transaction) && !nodeAs(between, 'AlterEnumStmt') && firstUse(between, addition.value) !== undefined);
}

function report(addition: EnumAddition, use: OffsetRange, statement: ParsedStatement, context: RuleContext): Report {
  const type = addition.type.join('.');
  const line = context.source.slice(0, addition.statement.range.start).split('\n').length;
  const inTool = statement.transaction.kind === 'implicit' ? `${statement.transaction.tool.name} runs this file in one transaction, and ` : '';
  const base: Report = {
    message:
      `${inTool}'${addition.value}' is added to enum ${type} on line ${line} in the same transaction: PostgreSQL refuses to use a new enum ` +
      'value before the transaction that added it commits (unsafe use of new value, SQLSTATE 55P04), so the migration fails here. ' +
      'Commit the ADD VALUE first.',
    range: use,
    related: [{ range: addition.statement.range, message: `'${addition.value}' is added here; it is usable only after this transaction commits` }],
    safeAlternative: 'ALTER TYPE … ADD VALUE in a transaction of its own, committed before the value is used.',
  };
  if (statement.transaction.kind === 'implicit') {
    return { ...base, noFixReason: `Put the ADD VALUE in a migration of its own that runs before this one. ${statement.transaction.tool.optOut}` };
  }
  const split = insertAfterStatement(addition.statement, context.source, 'COMMIT;\nBEGIN');
  return {
    ...base,
    fixes: [{ title: 'Commit right after ADD VALUE, so the value is usable (splits the transaction)', edits: [split], preferred: true, autoApplicable: false }],
  };
}

/** Where the statement first uses `value` as a string literal. */
function firstUse(statement: Statement, value: string): OffsetRange | undefined {
  if (statement.kind !== 'parsed') return undefined;
  const location = literalLocation(statement.ast, value);
  if (location === undefined) return undefined;
  const start = statement.locate(location);
  const token = statement.tokens.find((candidate) => candidate.start === start);
  return { start, end: token?.end ?? start };
}

function literalLocation(node: unknown, value: string): number | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = literalLocation(item, value);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const constant = (node as { A_Const?: A_Const }).A_Const;
  if (constant) return constant.sval?.sval === value ? constant.location : undefined;
  return literalLocation(Object.values(node), value);
}

/** `mood` and `app.mood` may be the same type: without a schema, only the names are compared. */
function sameType(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || a.at(-1) !== b.at(-1)) return false;
  return a.length === 1 || b.length === 1 || a[0] === b[0];
}
