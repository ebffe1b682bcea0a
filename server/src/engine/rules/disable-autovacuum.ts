import type { DefElem, Node } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, sameRelation } from '../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule, RuleContext } from './rule';
import { dropsTable } from './support/breaking-changes';

/** `autovacuum_enabled = false` (or `toast.autovacuum_enabled`): dead rows pile up and statistics go stale. */
export const disableAutovacuum: Rule = {
  id: 'disable-autovacuum',
  severity: 'warning',
  category: 'hygiene',
  docs: {
    summary: 'A table created or altered with autovacuum_enabled = false: dead rows pile up and planner statistics go stale.',
    why:
      'With `autovacuum_enabled = false`, autovacuum neither vacuums nor analyzes the table. Every UPDATE and DELETE ' +
      'leaves dead rows that nothing reclaims: the table and its indexes grow, scans slow down, and the planner works ' +
      'from statistics that no longer match the data. Only the anti-wraparound vacuum still runs — late, and then as ' +
      'a long, unavoidable pass over the whole table. `toast.autovacuum_enabled` does the same to the TOAST table, ' +
      'where large values are stored.',
    example: {
      bad: 'ALTER TABLE events SET (autovacuum_enabled = false);',
      good: "ALTER TABLE events SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_cost_delay = '2ms');",
    },
    instead:
      'Tune autovacuum for the table instead of turning it off (`autovacuum_vacuum_scale_factor`, ' +
      '`autovacuum_vacuum_cost_delay`, …). For a bulk load, turn it off and on again in the same migration, or ' +
      'suppress the finding with the reason when something else vacuums the table on a schedule. Temporary tables ' +
      'and tables the migration drops again are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table SET (autovacuum_enabled = false)',
      mode: 'SHARE UPDATE EXCLUSIVE',
      on: 'the table (catalog change only)',
      blocks: blockedOperations('SHARE UPDATE EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: 'https://www.postgresql.org/docs/current/sql-altertable.html',
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe SET (autovacuum_enabled = false)', relation: 'lock_probe' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const disabling = disablingOptions(statement);
    const table = statement.targets[0];
    if (disabling.length === 0 || !table || livesBriefly(statement, context) || reEnabledLater(statement, context.statements)) return [];
    const name = displayRelation(table);
    return disabling.map((range) => ({
      message:
        `Autovacuum is turned off for ${name}: dead rows from its updates and deletes are never reclaimed (the table and its indexes bloat) and ` +
        'its planner statistics go stale; only a late anti-wraparound vacuum still runs. Tune its autovacuum settings instead, or turn it on ' +
        'again later in this migration.',
      range,
      noFixReason: 'Which autovacuum settings suit this table depends on its write rate.',
      safeAlternative: 'SET (autovacuum_vacuum_scale_factor = …, autovacuum_vacuum_cost_delay = …) instead of turning autovacuum off.',
    }));
  },
};

/** The ranges of `autovacuum_enabled = false` options a CREATE TABLE … WITH or ALTER TABLE … SET writes. */
function disablingOptions(statement: ParsedStatement): OffsetRange[] {
  if (statement.nodeType !== 'CreateStmt' && statement.nodeType !== 'AlterTableStmt') return [];
  const options = nodeAs(statement, 'CreateStmt')?.options ?? statement.alterTableCommands.flatMap((cmd) => (cmd.subtype === 'AT_SetRelOptions' ? listItems(cmd.def) : []));
  return options.flatMap((option) => {
    const element = 'DefElem' in option ? option.DefElem : undefined;
    if (element?.defname !== 'autovacuum_enabled' || !isFalse(element.arg) || element.location === undefined) return [];
    // The option runs up to the `,` or `)` that ends it: `autovacuum_enabled = false`.
    const start = statement.locate(element.location);
    const tokens = statement.tokens.filter((token) => token.start >= start);
    const last = tokens[tokens.findIndex((token) => token.value === ',' || token.value === ')') - 1] ?? tokens[0];
    return [{ start, end: last?.end ?? statement.range.end }];
  });
}

/** A temporary table (autovacuum never visits those) or one the migration drops again: it cannot bloat for long. */
function livesBriefly(statement: ParsedStatement, context: RuleContext): boolean {
  if (nodeAs(statement, 'CreateStmt')?.relation?.relpersistence === 't') return true;
  return dropsTable(context, statement.targets[0]!, statement.index + 1, context.statements.length);
}

/** Whether a later statement of the file turns autovacuum on again for the same table (a bulk load). */
function reEnabledLater(statement: ParsedStatement, statements: readonly Statement[]): boolean {
  const table = statement.targets[0]!;
  return statements.slice(statement.index + 1).some((later) => {
    const target = later.kind === 'parsed' ? later.targets[0] : undefined;
    if (later.kind !== 'parsed' || !target || !nodeAs(later, 'AlterTableStmt') || !sameRelation(target, table)) return false;
    return later.alterTableCommands.some((cmd) =>
      cmd.subtype === 'AT_ResetRelOptions'
        ? listItems(cmd.def).some((item) => 'DefElem' in item && item.DefElem.defname === 'autovacuum_enabled')
        : cmd.subtype === 'AT_SetRelOptions' && listItems(cmd.def).some((item) => 'DefElem' in item && item.DefElem.defname === 'autovacuum_enabled' && !isFalse(item.DefElem.arg)),
    );
  });
}

const listItems = (node: Node | undefined): Node[] => (node && 'List' in node ? node.List.items ?? [] : []);

/** Whether a boolean storage parameter's value is false (PostgreSQL's parse_bool: false/off/no/0 and unique prefixes). */
function isFalse(arg: DefElem['arg']): boolean {
  if (!arg) return false; // a bare option name means true
  if ('Integer' in arg) return !arg.Integer.ival;
  const word = 'String' in arg ? arg.String.sval : 'TypeName' in arg ? (arg.TypeName.names ?? []).map((name) => ('String' in name ? name.String.sval : '')).pop() : undefined;
  return /^(f|fa|fal|fals|false|n|no|of|off|0)$/i.test(word ?? '');
}
