import type { Node } from '@pgsql/types';
import { nodeAs, type Statement } from '../../model/statement';
import type { RuleContext } from '../rule';

/**
 * Zone names whose UTC offset is always 0. PostgreSQL skips the table rewrite of timestamp ↔
 * timestamptz only when the session's TimeZone has a fixed offset of zero (`Europe/London` does not:
 * it has summer time).
 */
const ZERO_OFFSET_ZONES = new Set(['utc', 'etc/utc', 'uct', 'etc/uct', 'gmt', 'etc/gmt', 'gmt0', 'etc/gmt0', 'universal', 'etc/universal', 'zulu', 'etc/zulu', 'greenwich', 'etc/greenwich', 'z']);

/** The session's TimeZone as the file leaves it: UTC, another zone, or the server's or role's setting (`default`). */
export type TimeZoneInForce = { kind: 'utc'; setBy: number } | { kind: 'other'; setBy: number } | { kind: 'default' };

/**
 * The TimeZone in force when statement `beforeStatement` starts, from the file's `SET [LOCAL] timezone`,
 * `SET TIME ZONE …`, `RESET` and `set_config('timezone', …)`. SET LOCAL lasts until the next COMMIT or
 * ROLLBACK of the file.
 */
export function timeZoneBefore(context: RuleContext, beforeStatement: number): TimeZoneInForce {
  let session: TimeZoneInForce = { kind: 'default' };
  let local: TimeZoneInForce | undefined;
  for (const statement of context.statements.slice(0, beforeStatement)) {
    const control = nodeAs(statement, 'TransactionStmt')?.kind;
    if (control === 'TRANS_STMT_COMMIT' || control === 'TRANS_STMT_ROLLBACK') local = undefined;
    const change = timeZoneChange(statement);
    if (!change) continue;
    if (change.local) local = change.zone;
    else {
      session = change.zone;
      local = undefined;
    }
  }
  return local ?? session;
}

function timeZoneChange(statement: Statement): { zone: TimeZoneInForce; local: boolean } | undefined {
  const set = nodeAs(statement, 'VariableSetStmt');
  if (set) {
    if (set.kind === 'VAR_RESET_ALL') return { zone: { kind: 'default' }, local: false };
    if (set.name !== 'timezone') return undefined;
    const local = set.is_local === true;
    if (set.kind === 'VAR_SET_VALUE') return { zone: zoneOf(set.args?.[0], statement.index), local };
    return { zone: { kind: 'default' }, local };
  }
  for (const target of nodeAs(statement, 'SelectStmt')?.targetList ?? []) {
    const value = 'ResTarget' in target ? target.ResTarget.val : undefined;
    const call = value && 'FuncCall' in value ? value.FuncCall : undefined;
    const name = call?.funcname?.at(-1);
    const [setting, zone, isLocal] = call?.args ?? [];
    if (!name || !('String' in name) || name.String.sval !== 'set_config' || !setting || !('A_Const' in setting) || setting.A_Const.sval?.sval?.toLowerCase() !== 'timezone') continue;
    const local = isLocal !== undefined && 'A_Const' in isLocal && isLocal.A_Const.boolval?.boolval === true;
    return { zone: zoneOf(zone, statement.index), local };
  }
  return undefined;
}

function zoneOf(value: Node | undefined, setBy: number): TimeZoneInForce {
  if (!value || !('A_Const' in value)) return { kind: 'other', setBy };
  const constant = value.A_Const;
  const text = constant.sval?.sval ?? constant.fval?.fval ?? (constant.ival ? String(constant.ival.ival ?? 0) : undefined);
  const zeroOffset = text !== undefined && (ZERO_OFFSET_ZONES.has(text.trim().toLowerCase()) || /^[+-]?0+(?:[.:]0+)*$/.test(text.trim()));
  return { kind: zeroOffset ? 'utc' : 'other', setBy };
}
