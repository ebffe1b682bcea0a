import { callsFunction, referencedColumns } from '../model/syntax-names';
import { nodeAs, type Statement } from '../model/statement';
import type { Rule } from './rule';
import { GENERATED_SQL_NOTE, styleReports } from './support/generated-sql';
import { baseTypeName, columnName, replaceTypeFix, typeModifiers, typeSites, withArrayBounds } from './support/column-types';
import { constraintsOf } from './support/constraints';

/** `timestamp` stores a wall-clock time without saying in which zone: every reader must guess. */
export const preferTimestamptz: Rule = {
  id: 'prefer-timestamptz',
  severity: 'info',
  category: 'style',
  docs: {
    summary: 'A column typed `timestamp` (without time zone); `timestamptz` records an instant.',
    why:
      '`timestamp without time zone` stores the digits it is given and drops the zone, so the same value means ' +
      'different instants to sessions with different `TimeZone` settings, and comparisons with `now()` silently ' +
      'convert through the session\'s zone. `timestamptz` stores an absolute instant (in UTC) and shows it in the ' +
      'reader\'s zone; it takes the same 8 bytes. Changing the type later rewrites the table under an ACCESS ' +
      'EXCLUSIVE lock (except, from PostgreSQL 12, when the session zone is UTC), so choose it when the column is created.',
    example: { bad: 'CREATE TABLE events (happened_at timestamp NOT NULL);', good: 'CREATE TABLE events (happened_at timestamptz NOT NULL);' },
    instead:
      'Use `timestamptz` (`timestamp with time zone`), keeping any precision (`timestamp(3)` → `timestamptz(3)`). The ' +
      'quick fix is applied automatically in a `CREATE TABLE`, or an `ADD COLUMN` to a table created in the same migration; ' +
      'on an existing table it is offered but not applied blindly, since code may rely on the old type.' +
      ` ${GENERATED_SQL_NOTE}`,
  },
  facts: [],
  fixChecks: [
    { setup: [], migration: 'CREATE TABLE lockguard_events (id bigint, happened_at timestamp(3) without time zone NOT NULL, seen timestamp[]);\n' },
    { setup: ['CREATE TABLE lockguard_events (id bigint)'], migration: 'ALTER TABLE lockguard_events ADD COLUMN happened_at timestamp DEFAULT now();\n' },
  ],
  check(statement, context) {
    return styleReports(
      context,
      typeSites(statement, context)
        .filter((site) => baseTypeName(site.type) === 'timestamp')
        .map((site) => {
          const precision = typeModifiers(site.type).map((mod) => `(${mod})`).join('');
          const report = {
            message: `${columnName(site)} is a timestamp without time zone: its values mean different instants to sessions in different time zones. Use timestamptz, which stores the instant.`,
            range: site.range,
          };
          if (generationColumns(statement).has(site.column)) {
            return {
              ...report,
              noFixReason:
                'This column is a stored generated column, or one a generation expression reads: with timestamptz, date arithmetic such as `+ interval` is only STABLE (it depends on the session\'s ' +
                'TimeZone), and PostgreSQL refuses it in a generation expression ("generation expression is not immutable"). Change the type together with an ' +
                "immutable expression, e.g. `((col AT TIME ZONE 'UTC') + …) AT TIME ZONE 'UTC'`.",
            };
          }
          if (wallClockDefaultColumns(statement).has(site.column)) {
            return {
              ...report,
              noFixReason:
                "Its DEFAULT converts the time to a zone's wall clock (timezone('utc', now()), now() AT TIME ZONE 'UTC'): stored in a timestamptz, that value " +
                "would be read in the session's TimeZone and be hours off. Change the type together with the DEFAULT, to now().",
            };
          }
          return { ...report, fixes: [replaceTypeFix(site, withArrayBounds(`timestamptz${precision}`, site.type), 'Use timestamptz')] };
        }),
    );
  },
};

/** The columns the statement defines (CREATE TABLE, ADD COLUMN) with a DEFAULT that calls timezone(…), as AT TIME ZONE does. */
function wallClockDefaultColumns(statement: Statement): ReadonlySet<string> {
  const created = (nodeAs(statement, 'CreateStmt')?.tableElts ?? []).flatMap((element) => ('ColumnDef' in element ? [element.ColumnDef] : []));
  const added = statement.kind === 'parsed' ? statement.alterTableCommands.flatMap((command) => (command.subtype === 'AT_AddColumn' && command.def && 'ColumnDef' in command.def ? [command.def.ColumnDef] : [])) : [];
  return new Set(
    [...created, ...added].flatMap((column) => {
      const fallback = constraintsOf(column.constraints).find((constraint) => constraint.contype === 'CONSTR_DEFAULT');
      return fallback && callsFunction(fallback.raw_expr, 'timezone') ? [column.colname ?? ''] : [];
    }),
  );
}

/** The columns of a CREATE TABLE that are stored generated columns, or that a generation expression reads. */
function generationColumns(statement: Statement): ReadonlySet<string> {
  const columns = (nodeAs(statement, 'CreateStmt')?.tableElts ?? []).flatMap((element) => ('ColumnDef' in element ? [element.ColumnDef] : []));
  return new Set(
    columns.flatMap((column) => {
      const generated = constraintsOf(column.constraints).find((constraint) => constraint.contype === 'CONSTR_GENERATED');
      return generated ? [column.colname ?? '', ...referencedColumns(generated.raw_expr)] : [];
    }),
  );
}
