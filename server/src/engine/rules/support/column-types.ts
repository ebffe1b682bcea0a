import type { ColumnDef, Constraint, Node, TypeName } from '@pgsql/types';
import { columnTypeOf, typeChangeEffect, type ColumnType } from '../../knowledge/type-changes';
import { displayRelation, relationFromRangeVar, type RelationName, type RelationRef } from '../../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import type { OffsetRange } from '../../text/positions';
import type { Fix, RuleContext } from '../rule';
import { alterationsOf } from './breaking-changes';
import { isMigrationToolTable } from './migration-tool-tables';
import { timeZoneBefore } from './time-zone';

/** Where a column gets its type: a new table's column, ADD COLUMN, or the target of ALTER COLUMN … TYPE. */
export type TypeSiteKind = 'create-table' | 'add-column' | 'alter-type';

/** A column type a migration writes, with what the type rules need to judge and rewrite it. */
export interface TypeSite {
  kind: TypeSiteKind;
  table: RelationRef;
  column: string;
  type: TypeName;
  /** The type as written, e.g. `character varying(255)` or `timestamp(3) without time zone`. */
  range: OffsetRange;
  /** The table is created by this statement or earlier in the file: no data and no running code depend on it yet. */
  newTable: boolean;
  primaryKey: boolean;
  /** The column references another table's key (REFERENCES, or a table-level FOREIGN KEY of the same statement). */
  foreignKey: boolean;
  /** The column is one of several in a table-level PRIMARY KEY (a, b). */
  compositePrimaryKey: boolean;
  /** Its values come from a sequence: an identity column, or a DEFAULT nextval(…) (serial types are names of their own). */
  generated: boolean;
}

/** The type's own name, lower case, without the `pg_catalog.` PostgreSQL's grammar adds (`int4`, `varchar`, `timestamp`). */
export function baseTypeName(type: TypeName): string | undefined {
  const names = (type.names ?? []).map((name) => ('String' in name ? (name.String.sval ?? '') : ''));
  if (names.length > 2 || (names.length === 2 && names[0] !== 'pg_catalog')) return undefined;
  return names[names.length - 1];
}

/** The type's modifiers when they are plain numbers (`varchar(255)` → [255]). */
export function typeModifiers(type: TypeName): number[] {
  return (type.typmods ?? []).flatMap((mod) => ('A_Const' in mod && mod.A_Const.ival ? [mod.A_Const.ival.ival ?? 0] : []));
}

export const isArray = (type: TypeName) => (type.arrayBounds ?? []).length > 0;

/** `name` with the type's array brackets, if any: `bigint` for `int`, `bigint[]` for `int[]`. */
export const withArrayBounds = (name: string, type: TypeName) => name + '[]'.repeat((type.arrayBounds ?? []).length);

/**
 * Every column type the statement writes. Left out: temporary tables (not part of the schema), a
 * migration tool's bookkeeping table copied with IF NOT EXISTS (the tool owns its types), and down
 * migrations, whose job is to restore the previous schema as it was, types included.
 */
export function typeSites(statement: Statement, context: RuleContext): TypeSite[] {
  const written = writtenTypeSites(statement);
  if (written.sites.length === 0 || isDownMigration(context.options.filePath)) return [];
  if (!written.alteredTable) return written.sites;
  const newTable = context.isCreatedInFile(written.alteredTable, statement.index);
  return written.sites.map((site) => ({ ...site, newTable }));
}

/** The type sites the statement's own text writes; for ALTER TABLE, `newTable` is left to the file. */
interface WrittenTypeSites {
  sites: TypeSite[];
  /** The table an ALTER TABLE changes: whether it is new depends on the rest of the file. */
  alteredTable: RelationRef | undefined;
}

/** Six type rules ask about every statement: its sites are found once. */
function writtenTypeSites(statement: Statement): WrittenTypeSites {
  if (statement.kind !== 'parsed' || (statement.nodeType !== 'CreateStmt' && statement.nodeType !== 'AlterTableStmt')) return NO_SITES;
  let written = WRITTEN_TYPE_SITES.get(statement);
  if (!written) WRITTEN_TYPE_SITES.set(statement, (written = findTypeSites(statement)));
  return written;
}

const NO_SITES: WrittenTypeSites = { sites: [], alteredTable: undefined };
const WRITTEN_TYPE_SITES = new WeakMap<ParsedStatement, WrittenTypeSites>();

function findTypeSites(statement: ParsedStatement): WrittenTypeSites {
  const create = nodeAs(statement, 'CreateStmt');
  if (create?.relation) {
    if (create.relation.relpersistence === 't') return NO_SITES;
    const table = relationFromRangeVar(create.relation, statement.locate);
    const elements = create.tableElts ?? [];
    if (create.if_not_exists && isMigrationToolTable(table, elements.flatMap((element) => ('ColumnDef' in element ? [element.ColumnDef.colname ?? ''] : [])))) return NO_SITES;
    const keys = { primary: constrainedColumns(elements, 'CONSTR_PRIMARY'), foreign: constrainedColumns(elements, 'CONSTR_FOREIGN') };
    const sites = elements.flatMap((element) => ('ColumnDef' in element ? columnSite(statement, 'create-table', table, element.ColumnDef, true, keys) : []));
    return { sites, alteredTable: undefined };
  }
  const alter = nodeAs(statement, 'AlterTableStmt');
  if (!alter?.relation || alter.objtype !== 'OBJECT_TABLE') return NO_SITES;
  const table = relationFromRangeVar(alter.relation, statement.locate);
  const sites = statement.alterTableCommands.flatMap((cmd) => {
    const column = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : undefined;
    if (!column) return [];
    if (cmd.subtype === 'AT_AddColumn') return columnSite(statement, 'add-column', table, column, false, noKeys);
    if (cmd.subtype === 'AT_AlterColumnType') return columnSite(statement, 'alter-type', table, { ...column, colname: cmd.name }, false, noKeys);
    return [];
  });
  return { sites, alteredTable: table };
}

/** `…/down.sql` (diesel), `….down.sql` (golang-migrate, Ory pop, authelia), `…_down.sql`. */
const isDownMigration = (path: string | undefined) => path !== undefined && /(^|[\\/._-])down\.sql$/i.test(path);

/** The columns a CREATE TABLE's table-level PRIMARY KEY and FOREIGN KEY constraints name. */
interface TableKeys {
  primary: ReadonlySet<string>;
  foreign: ReadonlySet<string>;
}

const noKeys: TableKeys = { primary: new Set(), foreign: new Set() };

/** Columns named by a CREATE TABLE's table-level constraints of a kind (a FOREIGN KEY's own columns, not those it references). */
function constrainedColumns(elements: readonly Node[], kind: 'CONSTR_PRIMARY' | 'CONSTR_FOREIGN'): ReadonlySet<string> {
  const columns = elements.flatMap((element) => {
    if (!('Constraint' in element) || element.Constraint.contype !== kind) return [];
    return (kind === 'CONSTR_PRIMARY' ? element.Constraint.keys : element.Constraint.fk_attrs) ?? [];
  });
  return new Set(columns.flatMap((node) => ('String' in node && node.String.sval ? [node.String.sval] : [])));
}

function columnSite(statement: ParsedStatement, kind: TypeSiteKind, table: RelationRef, column: ColumnDef, newTable: boolean, keys: TableKeys): TypeSite[] {
  const type = column.typeName;
  const name = column.colname;
  if (!type || name === undefined || type.location === undefined || type.location < 0) return [];
  const range = typeRange(statement, statement.locate(type.location));
  if (!range) return [];
  const constraints: Constraint[] = (column.constraints ?? []).flatMap((node) => ('Constraint' in node ? [node.Constraint] : []));
  return [
    {
      kind,
      table,
      column: name,
      type,
      range,
      newTable,
      primaryKey: keys.primary.has(name) || constraints.some((c) => c.contype === 'CONSTR_PRIMARY'),
      foreignKey: keys.foreign.has(name) || constraints.some((c) => c.contype === 'CONSTR_FOREIGN'),
      compositePrimaryKey: keys.primary.size > 1 && keys.primary.has(name),
      generated: constraints.some((c) => c.contype === 'CONSTR_IDENTITY' || (c.contype === 'CONSTR_DEFAULT' && callsNextval(c.raw_expr))),
    },
  ];
}

/** `nextval('seq')`, possibly cast: a default that draws from a sequence. */
function callsNextval(expression: Node | undefined): boolean {
  if (expression && 'TypeCast' in expression) return callsNextval(expression.TypeCast.arg);
  const name = expression && 'FuncCall' in expression ? expression.FuncCall.funcname?.at(-1) : undefined;
  return name !== undefined && 'String' in name && name.String.sval?.toLowerCase() === 'nextval';
}

/** Words that end a type in a column definition or ALTER COLUMN … TYPE. */
const AFTER_TYPE = new Set(['NOT', 'NULL', 'DEFAULT', 'PRIMARY', 'REFERENCES', 'CHECK', 'UNIQUE', 'CONSTRAINT', 'GENERATED', 'COLLATE', 'COMPRESSION', 'STORAGE', 'USING', 'DEFERRABLE', 'INITIALLY']);

/** From the type's first token to its last, following parentheses (`numeric(10, 2)`) and array brackets. */
function typeRange(statement: ParsedStatement, start: number): OffsetRange | undefined {
  const tokens = statement.tokens;
  const first = tokens.findIndex((token) => token.start === start);
  if (first < 0) return undefined;
  let depth = 0;
  let last = first;
  for (let i = first + 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (depth === 0 && (token.value === ',' || token.value === ')' || token.type === 'semicolon' || (token.type === 'word' && AFTER_TYPE.has(token.value)))) break;
    if (token.value === '(') depth++;
    if (token.value === ')') depth--;
    last = i;
  }
  return { start, end: tokens[last]!.end };
}

/** Whether the column's table is new and the statement creates it or adds to it: a type change there changes no data. */
export const changesNoData = (site: TypeSite) => site.newTable && site.kind !== 'alter-type';

/** A fix replacing the type as written by `newType`; applied automatically only where no data or running code depends on it. */
export function replaceTypeFix(site: TypeSite, newType: string, title: string, autoApplicable = changesNoData(site)): Fix {
  return { title, edits: [{ range: site.range, newText: newType }], preferred: true, autoApplicable };
}

/** `text CHECK (char_length(col) <= n)`: the length limit of varchar(n)/char(n) as a constraint that can change without a rewrite. */
export const textWithLengthCheck = (site: TypeSite, length: number) => `text CHECK (char_length(${displayRelation({ schema: undefined, name: site.column })}) <= ${length})`;

/** Where the finding names the column: `orders.status`. */
export const columnName = (site: TypeSite) => `${displayRelation(site.table)}.${displayRelation({ schema: undefined, name: site.column })}`;

/**
 * The column's type just before a statement: as this file last declared it (ADD COLUMN or ALTER COLUMN … TYPE
 * on the same table), else as the schema history has it (declared by an earlier migration of the set).
 */
export function currentColumnType(context: RuleContext, table: RelationName, column: string, beforeStatement: number): ColumnType | undefined {
  const definitions = alterationsOf(context, table, 0, beforeStatement).flatMap((statement): ColumnDef[] =>
    statement.alterTableCommands.flatMap((command) => {
      const definition = command.def && 'ColumnDef' in command.def ? command.def.ColumnDef : undefined;
      const declares = (command.subtype === 'AT_AddColumn' && definition?.colname === column) || (command.subtype === 'AT_AlterColumnType' && command.name === column);
      return declares && definition ? [definition] : [];
    }),
  );
  const declared = definitions[definitions.length - 1]?.typeName;
  if (declared) return columnTypeOf(declared);
  const known = context.schema.before(beforeStatement).column(table, column)?.type;
  return known && columnTypeOf(known);
}

/**
 * Whether ALTER COLUMN … TYPE `to` (without a USING that computes a value) reads no row: the column's current
 * type is known and reaches `to` without converting a value — timestamp ↔ timestamptz only in a UTC session and
 * with no index on the column, which would be rebuilt (see alter-column-type) — and no validated CHECK on the
 * column has to be checked again: PostgreSQL re-adds the column's constraints after the change, and a validated
 * CHECK scans the table even when nothing is rewritten (a NOT VALID one, a foreign key or NOT NULL does not;
 * measured on 13 and 18).
 */
export function typeChangeReadsNoRow(context: RuleContext, beforeStatement: number, table: RelationName, column: string, to: ColumnType): boolean {
  const from = currentColumnType(context, table, column, beforeStatement);
  const effect = from && typeChangeEffect(from, to, context.options.pgVersion);
  if (effect !== 'none' && effect !== 'rewrite-unless-utc') return false;
  const schema = context.schema.before(beforeStatement);
  // A table the schema history does not know may have constraints and indexes nobody shows.
  if (!schema.table(table)) return false;
  if (effect === 'rewrite-unless-utc' && (timeZoneBefore(context, beforeStatement).kind !== 'utc' || schema.indexes(table).some((index) => index.dependsOn.includes(column)))) return false;
  return !schema.constraints(table).some((constraint) => constraint.kind === 'check' && constraint.validated && constraint.columns.includes(column));
}
