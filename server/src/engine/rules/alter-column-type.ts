import type { AlterTableCmd } from '@pgsql/types';
import { cheapSourcesOf, columnTypeOf, displayType, isPlainUsing, isUtcZoneConversion, timeZoneTwinOf, typeChangeEffect, UTC_SHORTCUT_SINCE, type ColumnType } from '../knowledge/type-changes';
import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, relationFromRangeVar, sameRelation, type RelationName } from '../model/relations';
import { nodeAs } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Report, Rule, RuleContext, Severity } from './rule';
import { accessExclusiveOn, commandRange, commandsOfType, type ExistingTableAlter } from './support/alter-table';
import { alterOfTableThatMayBeLarge, FEW_ROWS_EXEMPTION } from './support/tables-with-rows';
import { currentColumnType } from './support/column-types';
import { rewriteFact, rewriteMessage } from './support/table-rewrites';
import { timeZoneBefore } from './support/time-zone';

const DOCS_ALTER_TYPE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';

const INSTEAD =
  'On a large table: add a column of the new type, write both (trigger or application), backfill it in batches, ' +
  'then switch reads to it and drop the old column.';

/** What the change does, as far as the migration shows. */
type Verdict =
  | { kind: 'rewrite'; why: string }
  | { kind: 'rewrite-unless-utc'; from: ColumnType; to: ColumnType }
  | { kind: 'utc-session'; from: ColumnType; to: ColumnType; setAt: OffsetRange; indexed: boolean }
  | { kind: 'utc-session-unless-current-type'; to: ColumnType; twin: string; setAt: OffsetRange }
  | { kind: 'indexes-rebuilt'; why: string }
  | { kind: 'utc-using'; to: ColumnType; twin: string; column: string }
  | { kind: 'unless-current-type'; to: ColumnType; cheapSources: string[] };

/**
 * ALTER COLUMN … TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE, except for
 * binary-coercible changes (knowledge/type-changes.ts). The current type is known only when the
 * file itself declared the column; otherwise a target some type reaches for free is a warning.
 */
export const alterColumnType: Rule = {
  id: 'alter-column-type',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ALTER COLUMN … TYPE rewrites the table and rebuilds its indexes while reads and writes wait (binary-coercible changes excepted).',
    why:
      'Changing a column\'s type converts every stored value: PostgreSQL rewrites the whole table and rebuilds every ' +
      'index under an ACCESS EXCLUSIVE lock, so no read or write on the table succeeds until it is done, minutes to ' +
      'hours on a large table. A `USING` expression is evaluated for every row (unless it only casts the column to the ' +
      'new type, `USING col::new_type`, which PostgreSQL treats like no USING). Changes whose old bytes are already ' +
      'valid for the new type are catalog-only: `varchar(n)` → `varchar(m ≥ n)`, `varchar` ↔ `text` (to `varchar` ' +
      'without a limit), `numeric(p,s)` → `numeric(q ≥ p,s)` or unconstrained `numeric`, `varbit` widening, ' +
      '`cidr` → `inet`, and raising the precision of `timestamp`, `timestamptz`, `time`, `timetz`; they are not ' +
      'flagged when the migration shows the column\'s current type. Since PostgreSQL 12, `timestamp` ↔ `timestamptz` ' +
      'skips the table rewrite when the session\'s TimeZone is UTC, but still rebuilds the column\'s indexes: a warning ' +
      'when the migration shows the old type, an error when it does not (a change to `timestamp` or `timestamptz` is ' +
      'almost always that switch). When the migration itself sets the session to UTC first (`SET TIME ZONE \'UTC\'`, ' +
      '`SET timezone = \'UTC\'`), the switch is advice only (info) — a warning when the migration shows an index on the ' +
      'column, which is rebuilt — and a change from an unknown type is a warning. ' +
      'When the migration does not show the current type and the new type can be reached for free (e.g. `varchar(255)`), ' +
      'the finding is a warning that names the types from which the change is free.',
    example: {
      bad: 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;',
      good:
        'ALTER TABLE orders ADD COLUMN id_new bigint;\n-- then keep id_new in sync with a trigger, backfill it in batches, and swap the columns',
    },
    instead: `${INSTEAD} Tables created earlier in the same migration are exempt. ${FEW_ROWS_EXEMPTION}`,
  },
  facts: [
    rewriteFact('ALTER TABLE table ALTER COLUMN column TYPE new_type (a real conversion)', 'ALTER TABLE lock_probe ALTER COLUMN customer_id TYPE bigint', { from: 9 }, DOCS_ALTER_TYPE),
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ALTER COLUMN column TYPE varchar(m), from varchar(n ≤ m) (binary-coercible: catalog only)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (no rewrite)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_ALTER_TYPE,
      probe: {
        setup: [...PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ADD COLUMN note varchar(10)'],
        statement: 'ALTER TABLE lock_probe ALTER COLUMN note TYPE varchar(20)',
        relation: 'lock_probe',
      },
    },
    {
      kind: 'lock',
      statement: "ALTER TABLE table ALTER COLUMN column TYPE timestamptz, from timestamp, after SET TIME ZONE 'UTC' (no rewrite: relfilenode kept; the column's indexes rebuilt)",
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (no rewrite; each index on the column is rebuilt)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: UTC_SHORTCUT_SINCE },
      source: DOCS_ALTER_TYPE,
      probe: {
        setup: [...PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ADD COLUMN seen_at timestamp'],
        statement: "SET LOCAL TIME ZONE 'UTC'; ALTER TABLE lock_probe ALTER COLUMN seen_at TYPE timestamptz",
        relation: 'lock_probe',
      },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = alterOfTableThatMayBeLarge(statement, context, 'AT_AlterColumnType');
    if (!alter) return [];
    return commandsOfType(alter, 'AT_AlterColumnType').flatMap((command): Report[] => {
      const verdict = verdictOf(alter, command, context);
      return verdict ? [report(alter, command, verdict)] : [];
    });
  },
};

function verdictOf(alter: ExistingTableAlter, command: AlterTableCmd, context: RuleContext): Verdict | undefined {
  const definition = command.def && 'ColumnDef' in command.def ? command.def.ColumnDef : undefined;
  const to = definition?.typeName ? columnTypeOf(definition.typeName) : undefined;
  if (!to) return { kind: 'rewrite', why: 'every value is converted to the new type' };
  if (definition?.raw_default && !isPlainUsing(definition.raw_default, command.name ?? '', to)) {
    const twin = timeZoneTwinOf(to);
    const fromType = currentColumnType(context, alter.table, command.name ?? '', alter.statement.index);
    const utcTwin = twin && (!fromType || (fromType.name === twin && !fromType.array)) && context.options.pgVersion >= UTC_SHORTCUT_SINCE;
    if (utcTwin && isUtcZoneConversion(definition.raw_default, command.name ?? '')) return { kind: 'utc-using', to, twin, column: command.name ?? '' };
    return { kind: 'rewrite', why: 'the USING expression is evaluated for every row' };
  }
  if (definition?.collClause) return { kind: 'indexes-rebuilt', why: 'a new collation rebuilds every index on the column' };
  const from = currentColumnType(context, alter.table, command.name ?? '', alter.statement.index);
  if (!from) {
    // A change to timestamp(tz) is almost always the switch between the two, not a precision increase.
    const twin = timeZoneTwinOf(to);
    if (twin) {
      const zone = context.options.pgVersion >= UTC_SHORTCUT_SINCE ? timeZoneBefore(context, alter.statement.index) : undefined;
      if (zone?.kind === 'utc') return { kind: 'utc-session-unless-current-type', to, twin, setAt: context.statements[zone.setBy]!.range };
      return { kind: 'rewrite', why: `from ${twin}, every value is converted (on PostgreSQL 12+ in a UTC session, every index on the column is rebuilt instead)` };
    }
    const cheapSources = cheapSourcesOf(to);
    return cheapSources.length > 0 ? { kind: 'unless-current-type', to, cheapSources } : { kind: 'rewrite', why: `every value is converted to ${displayType(to)}` };
  }
  const effect = typeChangeEffect(from, to, context.options.pgVersion);
  const change = `${displayType(from)} → ${displayType(to)}`;
  if (effect === 'none') return undefined;
  if (effect === 'rewrite-unless-utc') {
    const zone = timeZoneBefore(context, alter.statement.index);
    if (zone.kind === 'utc') {
      const indexed = isIndexed(context, alter.table, command.name ?? '', alter.statement.index);
      return { kind: 'utc-session', from, to, setAt: context.statements[zone.setBy]!.range, indexed };
    }
    if (zone.kind === 'other') return { kind: 'rewrite', why: `${change} converts every value: the session's TimeZone, set earlier in this file, is not UTC` };
    return { kind: effect, from, to };
  }
  if (effect === 'indexes-rebuilt') return { kind: effect, why: `${change} changes the indexes' operator class` };
  return { kind: 'rewrite', why: `${change} converts every value` };
}

function report(alter: ExistingTableAlter, command: AlterTableCmd, verdict: Verdict): Report {
  const table = displayRelation(alter.table);
  const what = `ALTER COLUMN ${command.name ?? ''} TYPE`;
  const base = { range: commandRange(alter, command), lock: accessExclusiveOn(alter.table), safeAlternative: 'New column + dual writes + batched backfill + swap.' };
  const noFixReason = 'No statement converts the column of a table in use without a rewrite: the safe route takes several steps and a backfill.';
  const warning: Severity = 'warning';
  switch (verdict.kind) {
    case 'rewrite':
      return { ...base, message: rewriteMessage(what, alter.table, verdict.why, INSTEAD), noFixReason };
    case 'rewrite-unless-utc':
      return {
        ...base,
        severity: warning,
        message:
          `${what} ${displayType(verdict.from)} → ${displayType(verdict.to)} rewrites ${table} and all its indexes under an ACCESS EXCLUSIVE lock ` +
          "unless the session's TimeZone is UTC; even then every index on the column is rebuilt while reads and writes wait. " +
          "Existing values are read in the session's TimeZone: make sure that is the zone they were written in.",
        noFixReason,
      };
    case 'utc-session':
      return {
        ...base,
        severity: verdict.indexed ? warning : 'info',
        message:
          `${what} ${displayType(verdict.from)} → ${displayType(verdict.to)} in a UTC session (set earlier in this file): PostgreSQL keeps ${table}'s rows as ` +
          `they are (no rewrite), but rebuilds every index on ${command.name ?? ''} under the ACCESS EXCLUSIVE lock while reads and writes wait` +
          (verdict.indexed ? ' — and the migrations create one.' : '; without an index on the column the change is catalog-only.') +
          ' Existing values are read as UTC: make sure they were written in UTC.',
        noFixReason: 'Nothing to rewrite: the change is already the cheap form.',
        related: [{ range: verdict.setAt, message: "The session's TimeZone is set to UTC here." }],
      };
    case 'utc-session-unless-current-type':
      return {
        ...base,
        severity: warning,
        message:
          `${what} ${displayType(verdict.to)} in a UTC session (set earlier in this file) keeps ${table}'s rows if the column is currently ${verdict.twin} ` +
          '(only its indexes are rebuilt); from any other type PostgreSQL rewrites the table and all its indexes under an ACCESS EXCLUSIVE lock ' +
          `while every read and write waits. Check the column's current type. ${INSTEAD}`,
        noFixReason,
        related: [{ range: verdict.setAt, message: "The session's TimeZone is set to UTC here." }],
      };
    case 'utc-using':
      return {
        ...base,
        message:
          `${what} ${displayType(verdict.to)} USING ${verdict.column} AT TIME ZONE 'UTC' rewrites ${table} and all its indexes under an ACCESS EXCLUSIVE ` +
          'lock, while every read and write waits: the USING expression is evaluated for every row. From ' +
          `${verdict.twin}, the type change alone converts every value the same way in a UTC session, and then (PostgreSQL 12+) keeps the rows ` +
          `as they are and only rebuilds the indexes on ${verdict.column}: drop the USING and set the session's TimeZone to 'UTC' first ` +
          "(SET LOCAL TimeZone = 'UTC' inside the migration's transaction).",
        noFixReason: `Not rewritten automatically: make sure ${verdict.column} is currently ${verdict.twin} and its values were written in UTC, then drop the USING under SET LOCAL TimeZone = 'UTC'.`,
      };
    case 'indexes-rebuilt':
      return {
        ...base,
        severity: warning,
        message: `${what} keeps ${table}'s rows but ${verdict.why}: each index on the column is rebuilt under an ACCESS EXCLUSIVE lock while every read and write waits.`,
        noFixReason: 'Build the new indexes first (CREATE INDEX CONCURRENTLY … COLLATE …) on a new column, or accept a maintenance window.',
      };
    case 'unless-current-type':
      return {
        ...base,
        severity: warning,
        message:
          `${what} ${displayType(verdict.to)} is catalog-only if the column is currently ${verdict.cheapSources.join(' or ')}; from any other type ` +
          `PostgreSQL rewrites ${table} and rebuilds all its indexes under an ACCESS EXCLUSIVE lock while every read and write waits. ` +
          `Check the column's current type. ${INSTEAD}`,
        noFixReason,
      };
  }
}

/** Whether an earlier CREATE INDEX of the file, or of the earlier migrations of its set, indexes the column (plainly) on the table. */
function isIndexed(context: RuleContext, table: RelationName, column: string, beforeStatement: number): boolean {
  if (context.schema.before(beforeStatement).indexes(table).some((index) => index.columns.includes(column))) return true;
  return context.statements.slice(0, beforeStatement).some((statement) => {
    const index = nodeAs(statement, 'IndexStmt');
    if (!index?.relation || statement.kind !== 'parsed' || !sameRelation(relationFromRangeVar(index.relation, statement.locate), table)) return false;
    return (index.indexParams ?? []).some((param) => 'IndexElem' in param && param.IndexElem.name === column);
  });
}
