import type { Node, TypeName } from '@pgsql/types';
import type { QualifiedName, RelationName } from '../relations';

/**
 * The schema objects a migration set declares, as far as its statements show them. Every state is
 * a value: a change makes a new one, so the state before any statement stays readable.
 *
 * `createdAt`/`addedAt` is the index of the statement of the file being analysed that made the
 * object; undefined when it predates the file (declared by an earlier migration of the set).
 */

export type RelationKind = 'table' | 'partitioned-table' | 'view' | 'materialized-view';

export interface ColumnState {
  name: string;
  /** As parsed; undefined for a column whose type the statements do not show (e.g. copied by LIKE from an unknown table). */
  type: TypeName | undefined;
  /** The type as a user would write it, e.g. `varchar(20)`, `numeric(10,2)[]`; empty when unknown. */
  typeText: string;
  notNull: boolean;
  addedAt: number | undefined;
}

export type ConstraintKind = 'check' | 'unique' | 'primary-key' | 'foreign-key' | 'exclusion' | 'not-null';

export interface ConstraintState {
  /** Its own name or the one PostgreSQL gives an unnamed constraint (`orders_pkey`, `orders_total_check`). */
  name: string;
  kind: ConstraintKind;
  /** The constrained columns (a CHECK's referenced columns). */
  columns: readonly string[];
  /** A CHECK's expression, parsed, and as written. */
  expression: Node | undefined;
  expressionText: string | undefined;
  /** False for a constraint added NOT VALID and not validated since: existing rows were not checked. */
  validated: boolean;
  /** The table a foreign key references. */
  references: RelationName | undefined;
  addedAt: number | undefined;
}

export interface IndexState {
  name: QualifiedName;
  /** The indexed columns in order; undefined for an expression. */
  columns: readonly (string | undefined)[];
  /** Every column the index depends on (its columns, those its expressions, WHERE and INCLUDE use): dropping any drops the index. */
  dependsOn: readonly string[];
  unique: boolean;
  /** False for an index PostgreSQL marks invalid (`CREATE INDEX … ON ONLY` a partitioned table, until every partition's index is attached). */
  valid: boolean;
  createdAt: number | undefined;
}

export interface TableState {
  name: QualifiedName;
  kind: RelationKind;
  temporary: boolean;
  columns: readonly ColumnState[];
  /** Whether `columns` lists every column (false for views, CREATE TABLE AS, LIKE of a table the set does not declare). */
  columnsKnown: boolean;
  constraints: readonly ConstraintState[];
  indexes: readonly IndexState[];
  /**
   * The names of its triggers when the migrations show every one: the table was created by them (not
   * adopted with IF NOT EXISTS, not a partition, which clones its parent's). Undefined when it may have others.
   */
  triggers: readonly string[] | undefined;
  createdAt: number | undefined;
}

export type FunctionVolatility = 'immutable' | 'stable' | 'volatile';

export interface FunctionState {
  name: QualifiedName;
  /** The argument types as written (`int4`, `text`), one per input argument. */
  argumentTypes: readonly string[];
  /** VOLATILE when the definition does not say. */
  volatility: FunctionVolatility;
  createdAt: number | undefined;
}

export interface DomainState {
  name: QualifiedName;
  baseType: TypeName | undefined;
  baseTypeText: string;
  notNull: boolean;
  constraints: readonly ConstraintState[];
  createdAt: number | undefined;
}

/**
 * What the migrations show about a schema: `created-empty` when a CREATE SCHEMA without IF NOT EXISTS made it
 * (PostgreSQL refuses it when the schema exists), so it holds only what later statements put there; `known` otherwise.
 */
export type SchemaOrigin = 'created-empty' | 'known';

/** The schema as known just before one statement (see `SchemaHistory.before`). Names resolve as PostgreSQL resolves them there. */
export interface SchemaView {
  /** The table, view or materialized view the name resolves to. */
  table(name: RelationName): TableState | undefined;
  column(table: RelationName, column: string): ColumnState | undefined;
  constraints(table: RelationName): readonly ConstraintState[];
  indexes(table: RelationName): readonly IndexState[];
  index(name: RelationName): IndexState | undefined;
  /** The table the index the name resolves to belongs to. */
  indexTable(name: RelationName): QualifiedName | undefined;
  /**
   * Whether no index has the name now but one had it before (left by the earlier migrations or made
   * by an earlier statement of this file), dropped since: by name, with its table or with a column it covers.
   */
  isDroppedIndex(name: RelationName): boolean;
  /** The overloads of the function the name resolves to (empty when none is known). */
  function(name: RelationName): readonly FunctionState[];
  domain(name: RelationName): DomainState | undefined;
  /** Whether the relation was created by an earlier statement of this file (following renames): nobody uses it yet. */
  isNew(table: RelationName): boolean;
  /** Where an unqualified name resolves, if a known relation has it. */
  resolve(name: RelationName): QualifiedName | undefined;
  /** Whether the schema exists, as far as the migrations show: created (or renamed to) and not dropped since, or holding a known object. */
  schema(name: string): boolean;
  /** Whether the migrations created the schema empty (`SchemaOrigin`): every object in it is one they show, or one a statement the engine could not read made. */
  schemaCreatedEmpty(name: string): boolean;
}

/** A schema catalogue over the statements of one file (and the migrations before it). */
export interface SchemaHistory {
  /** The schema just before statement `statementIndex` runs (`statements.length` for the end of the file). */
  before(statementIndex: number): SchemaView;
}
