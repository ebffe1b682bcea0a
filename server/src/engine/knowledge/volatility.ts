import type { Node } from '@pgsql/types';

/**
 * How often PostgreSQL evaluates a column default, which decides whether ADD COLUMN … DEFAULT
 * rewrites the table (PostgreSQL 11+ stores a non-volatile default once: a "fast default").
 * `unknown` is a function Lockguard does not know (user-defined or from an extension).
 */
export type Volatility = 'immutable' | 'stable' | 'volatile' | 'unknown';

/** Built-in functions that return a new value on every call (pg_proc.provolatile = 'v'), plus common extensions'. */
const VOLATILE_FUNCTIONS = new Set([
  'random', 'random_normal', 'setseed', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'clock_timestamp', 'timeofday', 'nextval', 'setval',
  'txid_current', 'pg_current_xact_id', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'gen_random_bytes', 'gen_salt',
]);

/** Built-in functions fixed within a statement (provolatile = 's'): evaluated once for a fast default. */
const STABLE_FUNCTIONS = new Set([
  'now', 'statement_timestamp', 'transaction_timestamp', 'current_setting', 'current_database', 'current_schema', 'to_timestamp', 'age',
  'date_trunc', 'timezone', 'to_char', 'to_date', 'pg_backend_pid', 'inet_client_addr', 'version',
]);

/** Built-in functions whose result depends only on their arguments (provolatile = 'i'). */
const IMMUTABLE_FUNCTIONS = new Set([
  'lower', 'upper', 'coalesce', 'nullif', 'greatest', 'least', 'abs', 'round', 'trunc', 'length', 'concat', 'md5', 'jsonb_build_object',
  'json_build_object', 'jsonb_build_array', 'json_build_array', 'array_length', 'make_interval', 'make_date', 'replace', 'substring', 'btrim',
]);

const RANK: Readonly<Record<Volatility, number>> = { immutable: 0, stable: 1, unknown: 2, volatile: 3 };
const strongest = (values: Volatility[]) => values.reduce<Volatility>((a, b) => (RANK[b] > RANK[a] ? b : a), 'immutable');

/**
 * The volatility the migrations declare for a function they create (CREATE FUNCTION), given the name
 * as the call writes it (`['f']`, `['app', 'f']`, lower case); undefined when they do not create it.
 */
export type DeclaredFunctions = (names: readonly string[]) => Volatility | undefined;

const NO_DECLARED_FUNCTIONS: DeclaredFunctions = () => undefined;

/** The volatility of an expression: its most volatile part. Functions the file declares count as declared. */
export function volatilityOf(expression: Node | undefined, declared: DeclaredFunctions = NO_DECLARED_FUNCTIONS): Volatility {
  if (!expression) return 'immutable';
  const ofPart = (part: Node) => volatilityOf(part, declared);
  if ('FuncCall' in expression) {
    const call = expression.FuncCall;
    const names = (call.funcname ?? []).flatMap((name) => ('String' in name && name.String.sval ? [name.String.sval.toLowerCase()] : []));
    const own = declared(names) ?? builtInVolatility(names);
    return strongest([own, ...(call.args ?? []).map(ofPart)]);
  }
  // CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP, CURRENT_USER …: stable.
  if ('SQLValueFunction' in expression) return 'stable';
  if ('A_Const' in expression) return 'immutable';
  // Everything else is an operator, cast, array, row or list around sub-expressions: as volatile as its parts.
  return strongest(childExpressions(expression).map(ofPart));
}

function builtInVolatility(names: readonly string[]): Volatility {
  const name = names[names.length - 1] ?? '';
  const schema = names.length > 1 ? names[0] : undefined;
  if (schema !== undefined && schema !== 'pg_catalog' && !VOLATILE_FUNCTIONS.has(name)) return 'unknown';
  if (VOLATILE_FUNCTIONS.has(name)) return 'volatile';
  if (STABLE_FUNCTIONS.has(name)) return 'stable';
  return IMMUTABLE_FUNCTIONS.has(name) ? 'immutable' : 'unknown';
}

/**
 * The volatility a CREATE FUNCTION declares: its IMMUTABLE, STABLE or VOLATILE clause, and VOLATILE
 * when it has none (PostgreSQL's default).
 */
export function declaredVolatility(options: readonly Node[] | undefined): Volatility {
  for (const option of options ?? []) {
    if (!('DefElem' in option) || option.DefElem.defname !== 'volatility') continue;
    const value = option.DefElem.arg && 'String' in option.DefElem.arg ? option.DefElem.arg.String.sval : undefined;
    if (value === 'immutable' || value === 'stable' || value === 'volatile') return value;
  }
  return 'volatile';
}

/** The sub-expressions of a node, found generically so every expression shape is covered. */
function childExpressions(node: Node): Node[] {
  const payload = Object.values(node)[0] as Record<string, unknown> | undefined;
  if (!payload || typeof payload !== 'object') return [];
  const children: Node[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isNode(value)) children.push(value);
  };
  for (const [key, value] of Object.entries(payload)) {
    if (key !== 'typeName') visit(value);
  }
  return children;
}

const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && /^[A-Z]/.test(Object.keys(value)[0]!);
