import type { Node, TypeName } from '@pgsql/types';
import { isColumnRef } from '../model/syntax-names';

/**
 * Which `ALTER COLUMN … TYPE` changes rewrite the table. PostgreSQL skips the rewrite (and keeps the
 * column's indexes) when the old values are valid bytes of the new type: a binary-coercible cast
 * (pg_cast.castmethod = 'b') followed by a length or precision coercion its planner support
 * function proves to be a no-op (varchar_support, numeric_support, TemporalSimplify, varbit_support).
 * Since PostgreSQL 12, timestamp ↔ timestamptz also skips it when the session's TimeZone is UTC.
 * When the new type's index operator class differs (bit → varbit, timestamp ↔ timestamptz), the
 * column's indexes are still rebuilt. Verified by relfilenode on PostgreSQL 13–18
 * (test/postgres/type-changes.test.ts).
 */

/** A column type as PostgreSQL resolves it: canonical name (`varchar`, `int4`, `timestamptz`) and type modifiers. */
export interface ColumnType {
  name: string;
  /** `varchar(20)` → [20], `numeric(10, 2)` → [10, 2]; empty when unconstrained. */
  modifiers: readonly number[];
  array: boolean;
}

/**
 * - `none`: catalog only, no row is touched;
 * - `indexes-rebuilt`: the table is kept, the indexes on the column are rebuilt (another operator class);
 * - `rewrite`: every row is converted, the table copied and all its indexes rebuilt;
 * - `rewrite-unless-utc`: timestamp ↔ timestamptz: when the session's TimeZone is UTC, only the column's indexes are rebuilt.
 */
export type TypeChangeEffect = 'none' | 'indexes-rebuilt' | 'rewrite' | 'rewrite-unless-utc';

/** Types PostgreSQL's grammar spells out under another name (the parser already maps `character varying`, `bigint`, …). */
const ALIASES: Readonly<Record<string, string>> = {
  int: 'int4',
  integer: 'int4',
  bigint: 'int8',
  smallint: 'int2',
  decimal: 'numeric',
  boolean: 'bool',
  real: 'float4',
  float: 'float8',
  character: 'bpchar',
  char: 'bpchar',
  'bit varying': 'varbit',
};

/** Length-limited types whose widening (or dropping the limit) is a no-op. */
const LENGTH_LIMITED = new Set(['varchar', 'varbit']);
/** Date/time types whose fractional-second precision may grow without a rewrite (6 is the maximum, the same as none). */
const PRECISION_LIMITED = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);
const MAX_TIME_PRECISION = 6;
/**
 * Binary-coercible casts between different types (castmethod 'b'), before the target's length
 * coercion, and whether the column's indexes survive (the same operator class serves both types).
 */
const BINARY_COERCIBLE: ReadonlyMap<string, 'none' | 'indexes-rebuilt'> = new Map([
  ['varchar>text', 'none'],
  ['text>varchar', 'none'],
  ['cidr>inet', 'none'],
  ['bit>varbit', 'indexes-rebuilt'],
]);
/** PostgreSQL 12 (commit "Avoid table rewrite for ALTER TABLE … timestamp ↔ timestamptz when TimeZone is UTC"). */
export const UTC_SHORTCUT_SINCE = 12;

/** The column type a TypeName spells, or undefined when a modifier is not an integer constant. */
export function columnTypeOf(typeName: TypeName): ColumnType | undefined {
  const names = (typeName.names ?? []).flatMap((node) => ('String' in node && node.String.sval ? [node.String.sval.toLowerCase()] : []));
  const last = names[names.length - 1];
  if (last === undefined) return undefined;
  const modifiers = (typeName.typmods ?? []).map(integerConstant);
  if (modifiers.some((modifier) => modifier === undefined)) return undefined;
  return { name: ALIASES[last] ?? last, modifiers: modifiers as number[], array: (typeName.arrayBounds ?? []).length > 0 };
}

function integerConstant(node: Node): number | undefined {
  if (!('A_Const' in node) || node.A_Const.isnull) return undefined;
  const value = node.A_Const.ival;
  return value === undefined ? undefined : (value.ival ?? 0);
}

/**
 * Whether a USING expression only hands over the column's value (`USING c`, `USING c::new_type`):
 * PostgreSQL then builds the same conversion as without USING, so the same changes skip the rewrite.
 */
export function isPlainUsing(expression: Node, column: string, to: ColumnType): boolean {
  if ('TypeCast' in expression) {
    const cast = expression.TypeCast;
    const castTo = cast.typeName ? columnTypeOf(cast.typeName) : undefined;
    return cast.arg !== undefined && castTo !== undefined && sameType(castTo, to) && castTo.array === to.array && isPlainUsing(cast.arg, column, to);
  }
  return isColumnRef(expression, column);
}

/** Zone names PostgreSQL reads as UTC. */
const UTC_ZONES = new Set(['utc', 'etc/utc', 'zulu', 'etc/zulu', 'uct', 'etc/uct']);

/**
 * Whether a USING expression is `col AT TIME ZONE 'UTC'` (or `timezone('UTC', col)`): between timestamp and
 * timestamptz, the same conversion the type change makes without USING in a UTC session (PG 12+: then
 * without a rewrite).
 */
export function isUtcZoneConversion(expression: Node, column: string): boolean {
  if (!('FuncCall' in expression)) return false;
  const call = expression.FuncCall;
  const name = (call.funcname ?? []).map((part) => ('String' in part ? part.String.sval : undefined));
  const isTimezone = name.at(-1) === 'timezone' && (name.length === 1 || (name.length === 2 && name[0] === 'pg_catalog'));
  const [zone, value] = call.args ?? [];
  if (!isTimezone || call.args?.length !== 2 || !zone || !value || !('A_Const' in zone)) return false;
  const zoneName = zone.A_Const.sval?.sval;
  return zoneName !== undefined && UTC_ZONES.has(zoneName.toLowerCase()) && isColumnRef(value, column);
}

/** `varchar(20)`, `numeric(10,2)[]`: as a user would write it. */
export function displayType(type: ColumnType): string {
  const name = type.name === 'bpchar' ? 'char' : type.name;
  const modifiers = type.modifiers.length > 0 ? `(${type.modifiers.join(',')})` : '';
  return `${name}${modifiers}${type.array ? '[]' : ''}`;
}

/** What changing a column from `from` to `to` (without a USING expression) does on `pgVersion`. */
export function typeChangeEffect(from: ColumnType, to: ColumnType, pgVersion: number): TypeChangeEffect {
  if (from.array !== to.array) return 'rewrite';
  if (from.array) return sameType(from, to) ? 'none' : 'rewrite';
  if (from.name === to.name) return modifierChangeIsNoOp(from, to) ? 'none' : 'rewrite';
  if (isTimeZoneSwap(from, to) && pgVersion >= UTC_SHORTCUT_SINCE) {
    return modifierChangeIsNoOp(from, { ...to, name: from.name }) ? 'rewrite-unless-utc' : 'rewrite';
  }
  const relabelled = BINARY_COERCIBLE.get(`${from.name}>${to.name}`);
  // The cast relabels the value; the target's own length coercion then applies as to a value of unknown length.
  return relabelled !== undefined && to.modifiers.length === 0 ? relabelled : 'rewrite';
}

/**
 * The current types from which a change to `to` is catalog-only (`none`), in words, for a message
 * when the migration does not show the column's type. Empty when every other type does real work.
 */
export function cheapSourcesOf(to: ColumnType): string[] {
  if (to.array) return [];
  const limit = to.modifiers[0];
  if (LENGTH_LIMITED.has(to.name)) {
    const sameFamily = limit === undefined ? `${to.name}(n)` : `${to.name}(n) with n ≤ ${limit}`;
    return limit === undefined && to.name === 'varchar' ? [sameFamily, 'text'] : [sameFamily];
  }
  if (to.name === 'text') return ['varchar', 'varchar(n)'];
  if (to.name === 'inet') return ['cidr'];
  if (to.name === 'numeric') {
    if (limit === undefined) return ['numeric(p,s)'];
    return [`numeric(p,${to.modifiers[1] ?? 0}) with p ≤ ${limit}`];
  }
  if (PRECISION_LIMITED.has(to.name)) {
    const unlimited = limit === undefined || limit >= MAX_TIME_PRECISION;
    return [unlimited ? `${to.name}(p)` : `${to.name}(p) with p ≤ ${limit}`];
  }
  return [];
}

const TIME_ZONE_SWAP: Readonly<Record<string, string>> = { timestamp: 'timestamptz', timestamptz: 'timestamp' };

/** timestamp's twin is timestamptz and back: the type a change to `type` most likely comes from. */
export const timeZoneTwinOf = (type: ColumnType): string | undefined => (type.array ? undefined : TIME_ZONE_SWAP[type.name]);

function isTimeZoneSwap(from: ColumnType, to: ColumnType): boolean {
  return TIME_ZONE_SWAP[from.name] === to.name;
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  return a.name === b.name && a.modifiers.join() === b.modifiers.join();
}

/** Whether a change of modifiers within one type keeps every stored value valid as it is. */
function modifierChangeIsNoOp(from: ColumnType, to: ColumnType): boolean {
  if (sameType(from, to)) return true;
  const [oldLimit, oldScale = 0] = from.modifiers;
  const [newLimit, newScale = 0] = to.modifiers;
  if (newLimit === undefined) return LENGTH_LIMITED.has(to.name) || to.name === 'numeric' || PRECISION_LIMITED.has(to.name);
  if (LENGTH_LIMITED.has(to.name)) return oldLimit !== undefined && newLimit >= oldLimit;
  if (to.name === 'numeric') return oldLimit !== undefined && newScale === oldScale && newLimit >= oldLimit;
  if (PRECISION_LIMITED.has(to.name)) return newLimit >= MAX_TIME_PRECISION || (oldLimit !== undefined && newLimit >= oldLimit);
  return false;
}
