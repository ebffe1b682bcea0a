import type { FuncCall, Node } from '@pgsql/types';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import type { OffsetRange } from '../../text/positions';

/** The timeouts a migration sets for itself; both are durations in milliseconds (0 turns them off). */
export type TimeoutSetting = 'lock_timeout' | 'statement_timeout';

/**
 * A timeout's value as the file leaves it: milliseconds (0 = off), `default` after RESET (the
 * server's or role's value, which the file cannot see), or `unknown` when it is not a literal
 * (a template placeholder, an expression).
 */
export type TimeoutValue = number | 'default' | 'unknown';

/** A SET, SET LOCAL, RESET or set_config() of the setting. */
export interface SettingChange {
  value: TimeoutValue;
  /** SET LOCAL / set_config(…, true): only until the end of the current transaction. */
  local: boolean;
  /** Where the value is written (for fixes that replace it); absent for RESET and DEFAULT. */
  valueRange: OffsetRange | undefined;
}

/** The setting in force when a statement starts, and the statement that set it. */
export interface SettingInForce {
  value: TimeoutValue;
  setBy: number | undefined;
}

/** A timeout is in force when it is a positive duration, or a value the file cannot read (given the benefit of the doubt). */
export const isTimeoutInForce = (value: TimeoutValue) => value === 'unknown' || (typeof value === 'number' && value > 0);

const UNIT_MILLISECONDS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration as PostgreSQL reads one for a setting whose unit is milliseconds: `5000`, `'2s'`, `'1.5min'`. */
function parseMilliseconds(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MILLISECONDS[(match[2] ?? 'ms').toLowerCase()]!);
}

/** Milliseconds as a user would write them: `2s`, `500ms`, `1min`, `2h`. */
export function formatMilliseconds(milliseconds: number): string {
  if (milliseconds >= 3_600_000 && milliseconds % 3_600_000 === 0) return `${milliseconds / 3_600_000}h`;
  if (milliseconds >= 60_000 && milliseconds % 60_000 === 0) return `${milliseconds / 60_000}min`;
  if (milliseconds >= 1000 && milliseconds % 1000 === 0) return `${milliseconds / 1000}s`;
  return `${milliseconds}ms`;
}

/** How the statement changes `setting`, if it does. */
export function settingChange(statement: Statement, setting: TimeoutSetting): SettingChange | undefined {
  if (statement.kind === 'invalid') return statement.templated ? templatedSet(statement, setting) : undefined;
  if (statement.kind !== 'parsed') return undefined;
  const set = nodeAs(statement, 'VariableSetStmt');
  if (set) {
    if (set.kind === 'VAR_RESET_ALL') return { value: 'default', local: false, valueRange: undefined };
    if (set.name !== setting) return undefined;
    const local = set.is_local === true;
    if (set.kind === 'VAR_SET_VALUE') return { ...literalValue(set.args?.[0], statement), local };
    if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') return { value: 'default', local, valueRange: undefined };
    return undefined;
  }
  const call = setConfigCall(statement, setting);
  if (!call) return undefined;
  const [, value, isLocal] = call.args ?? [];
  const local = isLocal !== undefined && 'A_Const' in isLocal ? isLocal.A_Const.boolval?.boolval === true : isLocal !== undefined;
  return { ...literalValue(value, statement), local };
}

/** `SET lock_timeout = ${value}`: a value the migration tool fills in, so the file cannot say what it is. */
function templatedSet(statement: Statement, setting: TimeoutSetting): SettingChange | undefined {
  const [set, scope, name] = statement.tokens.map((token) => token.value);
  if (set !== 'SET') return undefined;
  const local = scope === 'LOCAL';
  const named = scope === 'LOCAL' || scope === 'SESSION' ? name : scope;
  return named === setting.toUpperCase() ? { value: 'unknown', local, valueRange: undefined } : undefined;
}

/** `SELECT set_config('lock_timeout', …)` (the form migration tools use when SET is not available). */
function setConfigCall(statement: ParsedStatement, setting: TimeoutSetting): FuncCall | undefined {
  // Without building lists: every statement of the file is asked, for each setting.
  for (const target of nodeAs(statement, 'SelectStmt')?.targetList ?? []) {
    const value = 'ResTarget' in target ? target.ResTarget.val : undefined;
    if (value && 'FuncCall' in value && setsConfig(value.FuncCall, setting)) return value.FuncCall;
  }
  return undefined;
}

function setsConfig(call: FuncCall, setting: TimeoutSetting): boolean {
  const names = call.funcname ?? [];
  const last = names[names.length - 1];
  const name = last === undefined ? undefined : 'String' in last ? last.String.sval : '';
  const first = call.args?.[0];
  return name === 'set_config' && first !== undefined && 'A_Const' in first && first.A_Const.sval?.sval === setting;
}

function literalValue(node: Node | undefined, statement: ParsedStatement): Omit<SettingChange, 'local'> {
  if (!node || !('A_Const' in node)) return { value: 'unknown', valueRange: undefined };
  const constant = node.A_Const;
  const text = constant.sval?.sval ?? constant.fval?.fval ?? (constant.ival ? String(constant.ival.ival ?? 0) : undefined);
  const milliseconds = text === undefined ? undefined : parseMilliseconds(text);
  return { value: milliseconds ?? 'unknown', valueRange: tokenAt(statement, constant.location) };
}

function tokenAt(statement: ParsedStatement, location: number | undefined): OffsetRange | undefined {
  if (location === undefined || location < 0) return undefined;
  const start = statement.locate(location);
  const token = statement.tokens.find((candidate) => candidate.start === start);
  return token ? { start: token.start, end: token.end } : undefined;
}

/**
 * Follows the value of `setting` through the file, statement by statement, by PostgreSQL's rules:
 * SET lasts for the session (undone when its transaction block rolls back); SET LOCAL only until the
 * end of its transaction, and does nothing outside one. For each statement: `enter` it, read
 * `inForce` (optionally after `apply`ing a change made just before it), then `leave` it.
 */
export class SettingTracker {
  private session: SettingInForce = { value: 'default', setBy: undefined };
  private local: { inForce: SettingInForce; transaction: string } | undefined;
  private beforeBlock: SettingInForce | undefined;
  private transaction: string | undefined;

  constructor(private readonly setting: TimeoutSetting) {}

  get inForce(): SettingInForce {
    return this.local?.inForce ?? this.session;
  }

  enter(statement: Statement): void {
    this.transaction = transactionKey(statement);
    if (this.local && this.local.transaction !== this.transaction) this.local = undefined;
    const control = nodeAs(statement, 'TransactionStmt')?.kind;
    if (control === 'TRANS_STMT_BEGIN' || control === 'TRANS_STMT_START') this.beforeBlock = this.session;
    if (control === 'TRANS_STMT_ROLLBACK' && this.beforeBlock) this.session = this.beforeBlock;
  }

  /** A change made by (or, for a fix, just before) the statement at `index`, the one entered last. */
  apply(change: SettingChange, index: number): void {
    const inForce = { value: change.value, setBy: index };
    if (!change.local) {
      this.session = inForce;
      this.local = undefined;
    } else if (this.transaction !== undefined) {
      this.local = { inForce, transaction: this.transaction };
    }
  }

  leave(statement: Statement): void {
    const change = settingChange(statement, this.setting);
    if (change) this.apply(change, statement.index);
  }
}

/** The value of `setting` in force at the start of every statement. */
export function settingTimeline(statements: readonly Statement[], setting: TimeoutSetting): SettingInForce[] {
  const tracker = new SettingTracker(setting);
  return statements.map((statement) => {
    tracker.enter(statement);
    const inForce = tracker.inForce;
    tracker.leave(statement);
    return inForce;
  });
}

/** Which transaction a statement runs in (undefined: autocommit, where SET LOCAL has no effect). */
function transactionKey(statement: Statement): string | undefined {
  if (statement.transaction.kind === 'explicit') return `block ${statement.transaction.begin}`;
  // Each section (a Liquibase changeset) and each COMMIT-ended run has its own: a SET LOCAL ends with it.
  if (statement.transaction.kind === 'implicit') return `implicit ${statement.transaction.start}`;
  return undefined;
}
