import type { AlterTableCmd, ColumnDef, Constraint, CreateStmt, Node, RangeVar, TypeName } from '@pgsql/types';
import { namesOf, referencedColumns } from '../syntax-names';
import { columnTypeOf, displayType } from '../../knowledge/type-changes';
import { qualifiedKey, relationFromNames, type QualifiedName, type RelationName } from '../relations';
import type { NodeOf, ParsedStatement, Statement } from '../statement';
import { Catalogue, EMPTY_SCHEMA, type SchemaSnapshot } from './catalogue';
import type { ColumnState, ConstraintKind, ConstraintState, DomainState, FunctionState, FunctionVolatility, IndexState, RelationKind, TableState } from './objects';
import { searchPathSetBy } from './search-path';

/**
 * How much of the schema a replay keeps: `everything`, or only which relations exist where and
 * which are new (`relations`: no columns, constraints, indexes, functions or domains), which is all
 * the "new table" exemption needs and costs next to nothing on a file of thousands of statements.
 */
export type ReplayDetail = 'everything' | 'relations';

/** The schema over a file's statements, on top of what the earlier migrations of its set left. */
export function schemaHistory(statements: readonly Statement[], prior: SchemaSnapshot = EMPTY_SCHEMA, detail: ReplayDetail = 'everything'): Catalogue {
  const catalogue = new Catalogue(prior);
  replayStatements(catalogue, statements, detail);
  return catalogue;
}

/** A replay of a file's statements, kept so that the replay of an edited version continues it (see `continuedReplay`). */
export interface SchemaReplay {
  readonly catalogue: Catalogue;
  readonly detail: ReplayDetail;
  readonly prior: SchemaSnapshot;
  readonly statements: readonly Statement[];
  /** Each statement's section when it was replayed: a later analysis that takes a statement over may move it to another. */
  readonly sections: readonly Statement['section'][];
}

/**
 * `schemaHistory`, continuing the replay of the file before an edit: the statements above the first
 * one the edit changed (the same objects, at the same place, in the same section) are not replayed
 * again; the catalogue as they left it is taken over.
 */
export function continuedReplay(statements: readonly Statement[], prior: SchemaSnapshot = EMPTY_SCHEMA, detail: ReplayDetail, previous: SchemaReplay | undefined): SchemaReplay {
  const from = previous && previous.detail === detail && previous.prior === prior ? unchangedPrefix(previous, statements) : 0;
  const catalogue = from > 0 ? previous!.catalogue.truncatedBefore(from) : new Catalogue(prior);
  replayStatements(catalogue, statements, detail, from);
  return { catalogue, detail, prior, statements, sections: statements.map((statement) => statement.section) };
}

/** How many statements from the start the edit left as they were replayed. */
function unchangedPrefix(previous: SchemaReplay, statements: readonly Statement[]): number {
  const end = Math.min(previous.statements.length, statements.length);
  let same = 0;
  while (same < end && previous.statements[same] === statements[same] && previous.sections[same] === statements[same]!.section) same++;
  return same;
}

/** The schema a migration leaves, for the next one of its set. */
export const schemaAfter = (statements: readonly Statement[], prior: SchemaSnapshot = EMPTY_SCHEMA): SchemaSnapshot => schemaHistory(statements, prior).snapshot();

/**
 * Replays statements into a catalogue, in order, as PostgreSQL would apply them. What a statement
 * does that the catalogue does not model is skipped; a statement on an object the catalogue does
 * not know changes nothing (the object predates what the set shows).
 */
export function replayStatements(catalogue: Catalogue, statements: readonly Statement[], detail: ReplayDetail = 'everything', from = 0): void {
  const replay = detail === 'everything' ? replayStatement : replayRelations;
  for (let i = from; i < statements.length; i++) {
    const statement = statements[i]!;
    // A Down or verify section does not run when the migration is applied.
    if (statement.section !== 'up') continue;
    if (statement.kind === 'parsed') replay(catalogue, statement);
    if (detail === 'everything' && mayMakeUnseen(statement)) forgetDroppedIndexesNamedIn(catalogue, statement);
  }
}

/** A statement the parser could not read (a template, a syntax error), or a DO block (dynamic SQL): what it makes, the replay does not see. */
const mayMakeUnseen = (statement: Statement) => statement.kind === 'invalid' || (statement.kind === 'parsed' && 'DoStmt' in statement.ast);

/** A dropped index name the statement mentions (as a word, quoted, or in a string) may name an index again after it. */
function forgetDroppedIndexesNamedIn(catalogue: Catalogue, statement: Statement): void {
  for (const token of statement.tokens) {
    const names =
      token.type === 'word' ? [token.value.toLowerCase()] : token.type === 'quoted-identifier' ? [token.value.slice(1, -1).replace(/""/g, '"')] : token.type === 'string' || token.type === 'dollar-string' ? (token.value.match(IDENTIFIERS) ?? []).map((word) => word.toLowerCase()) : [];
    for (const name of names) if (catalogue.droppedIndexes.knows(name)) forgetDroppedIndex(catalogue, name, statement.index);
  }
}

const IDENTIFIERS = /[A-Za-z_][A-Za-z0-9_$]*/g;

/** The name may hold an index again from statement `at` on, in whichever schema it was dropped from. */
function forgetDroppedIndex(catalogue: Catalogue, name: string, at: number): void {
  for (const schema of catalogue.droppedIndexes.schemasNamed(name)) {
    if (catalogue.droppedIndexes.latest({ schema, name })) catalogue.droppedIndexes.set({ schema, name }, at, undefined);
  }
}

/** What a statement does to which relations exist, and where. */
function replayRelations(catalogue: Catalogue, statement: ParsedStatement): void {
  const ast = statement.ast;
  if ('CreateStmt' in ast || 'CreateTableAsStmt' in ast || 'ViewStmt' in ast || 'RenameStmt' in ast || 'AlterObjectSchemaStmt' in ast || 'DropStmt' in ast || 'CreateSchemaStmt' in ast) {
    replayStatement(catalogue, statement, true);
  } else if ('VariableSetStmt' in ast || 'SelectStmt' in ast) {
    const path = searchPathSetBy(statement);
    if (path) catalogue.setSearchPath(statement.index, path);
  }
}

function replayStatement(catalogue: Catalogue, statement: ParsedStatement, relationsOnly = false): void {
  const at = statement.index;
  const replay = new StatementReplay(catalogue, statement, at, relationsOnly);
  const ast = statement.ast;
  const path = searchPathSetBy(statement);
  if (path) catalogue.setSearchPath(at, path);
  else if ('CreateStmt' in ast) replay.createTable(ast.CreateStmt);
  else if ('CreateTableAsStmt' in ast) {
    const { into, objtype, if_not_exists } = ast.CreateTableAsStmt;
    if (into?.rel) replay.createRelation(into.rel, objtype === 'OBJECT_MATVIEW' ? 'materialized-view' : 'table', if_not_exists === true);
  } else if ('ViewStmt' in ast) {
    if (ast.ViewStmt.view) replay.createRelation(ast.ViewStmt.view, 'view', false, ast.ViewStmt.replace === true);
  } else if ('AlterTableStmt' in ast) {
    const relation = ast.AlterTableStmt.relation;
    if (relation) for (const cmd of statement.alterTableCommands) replay.alterTable(relation, cmd);
  } else if ('IndexStmt' in ast) replay.createIndex(ast.IndexStmt);
  else if ('RenameStmt' in ast) replay.rename(ast.RenameStmt);
  else if ('AlterObjectSchemaStmt' in ast) replay.setSchema(ast.AlterObjectSchemaStmt);
  else if ('DropStmt' in ast) replay.drop(ast.DropStmt);
  else if ('CreateSchemaStmt' in ast) {
    const { schemaname, authrole, schemaElts, if_not_exists } = ast.CreateSchemaStmt;
    const schema = schemaname ?? authrole?.rolename;
    if (schema !== undefined) catalogue.schemas.set({ schema: '', name: schema }, at, if_not_exists ? 'known' : 'created-empty');
    // CREATE SCHEMA s CREATE TABLE t …: the elements are created in s.
    for (const element of schemaElts ?? []) if ('CreateStmt' in element) replay.createTable(element.CreateStmt, schema);
  } else if ('CreateFunctionStmt' in ast) replay.createFunction(ast.CreateFunctionStmt);
  else if ('CreateTrigStmt' in ast) replay.createTrigger(ast.CreateTrigStmt);
  else if ('CreateDomainStmt' in ast) replay.createDomain(ast.CreateDomainStmt);
  else if ('AlterDomainStmt' in ast) replay.alterDomain(ast.AlterDomainStmt);
}

/** One statement's changes to the catalogue. */
class StatementReplay {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly statement: ParsedStatement,
    private readonly at: number,
    /** Only which relations exist (see `ReplayDetail`). */
    private readonly relationsOnly: boolean,
  ) {}

  private resolveTable(relation: RelationName): QualifiedName | undefined {
    return this.catalogue.resolve(this.catalogue.relations, relation, this.at, true);
  }

  private latestTable(name: QualifiedName): TableState | undefined {
    return this.catalogue.relations.latest(name);
  }

  private setTable(name: QualifiedName, table: TableState | undefined): void {
    this.catalogue.relations.set(name, this.at, table);
  }

  /** Applies `change` to the table a name resolves to, if the catalogue knows it. */
  private updateTable(relation: RelationName, change: (table: TableState) => TableState): void {
    const name = this.resolveTable(relation);
    const table = name && this.latestTable(name);
    if (name && table) this.setTable(name, change(table));
  }

  createTable(create: CreateStmt, schemaOfElement?: string): void {
    if (!create.relation) return;
    const rangeVar = schemaOfElement !== undefined && create.relation.schemaname === undefined ? { ...create.relation, schemaname: schemaOfElement } : create.relation;
    const name = this.nameToCreate(rangeVar, create.if_not_exists === true);
    if (!name) return;
    const kind = create.partspec !== undefined ? 'partitioned-table' : 'table';
    if (this.relationsOnly) return this.createRelation(rangeVar, kind, false);
    const columns: ColumnState[] = [];
    const constraints: ConstraintState[] = [];
    let columnsKnown = true;
    // PARTITION OF and INHERITS: the parent's columns come first.
    for (const parent of create.inhRelations ?? []) {
      const source = 'RangeVar' in parent ? this.tableOf(parent.RangeVar) : undefined;
      if (source?.columnsKnown) columns.push(...source.columns.map((column) => ({ ...column, addedAt: this.at })));
      else columnsKnown = false;
    }
    const tableName = name;
    for (const element of create.tableElts ?? []) {
      if ('ColumnDef' in element) {
        const column = element.ColumnDef;
        const existing = columns.findIndex((candidate) => candidate.name === column.colname);
        const state = this.column(column);
        if (!state) continue;
        // A partition's column definition only adds constraints (`PARTITION OF p (col NOT NULL)`).
        if (existing >= 0) columns[existing] = { ...columns[existing]!, notNull: columns[existing]!.notNull || state.notNull };
        else columns.push(state);
        constraints.push(...this.inlineConstraints(tableName, column, true));
      } else if ('Constraint' in element) {
        const constraint = this.constraint(tableName, element.Constraint, undefined, true);
        if (constraint) constraints.push(constraint);
      } else if ('TableLikeClause' in element) {
        const source = element.TableLikeClause.relation && this.tableOf(element.TableLikeClause.relation);
        if (source?.columnsKnown) columns.push(...source.columns.map((column) => ({ ...column, addedAt: this.at })));
        else columnsKnown = false;
      }
    }
    const keyColumns = new Set(constraints.filter((constraint) => constraint.kind === 'primary-key' || constraint.kind === 'not-null').flatMap((constraint) => constraint.columns));
    const withKeys = columns.map((column) => (keyColumns.has(column.name) && !column.notNull ? { ...column, notNull: true } : column));
    const indexes = constraints.flatMap((constraint) => this.constraintIndex(tableName, constraint));
    const table: TableState = {
      name,
      kind,
      temporary: rangeVar.relpersistence === 't',
      columns: withKeys,
      columnsKnown,
      constraints,
      indexes,
      triggers: create.if_not_exists === true || create.partbound !== undefined ? undefined : [],
      createdAt: this.at,
    };
    this.setTable(name, table);
    for (const index of indexes) this.indexMade(index.name, qualifiedKey(name));
  }

  /** CREATE OR REPLACE of a view the set does not show may replace one in use: it is new only when this file created it. */
  createRelation(rangeVar: RangeVar, kind: RelationKind, ifNotExists: boolean, orReplace = false): void {
    const name = this.nameToCreate(rangeVar, ifNotExists);
    if (!name) return;
    const replaced = orReplace ? this.latestTable(name) : undefined;
    const createdAt = orReplace ? replaced?.createdAt : this.at;
    // A replaced view keeps its (INSTEAD OF) triggers; one the set does not show may have some.
    const triggers = orReplace ? replaced?.triggers : ifNotExists ? undefined : [];
    this.setTable(name, { name, kind, temporary: rangeVar.relpersistence === 't', columns: [], columnsKnown: false, constraints: [], indexes: [], triggers, createdAt });
  }

  /** The name a CREATE gives its relation; undefined when IF NOT EXISTS finds it there already (nothing is created). */
  private nameToCreate(rangeVar: RangeVar, ifNotExists: boolean): QualifiedName | undefined {
    const name = this.catalogue.creationName({ schema: rangeVar.schemaname, name: rangeVar.relname ?? '' }, this.at, rangeVar.relpersistence === 't');
    return ifNotExists && this.latestTable(name) ? undefined : name;
  }

  private tableOf(rangeVar: RangeVar): TableState | undefined {
    const name = this.resolveTable({ schema: rangeVar.schemaname, name: rangeVar.relname ?? '' });
    return name && this.latestTable(name);
  }

  private column(definition: ColumnDef): ColumnState | undefined {
    if (definition.colname === undefined) return undefined;
    const inline = constraintNodes(definition.constraints);
    const notNull = definition.is_not_null === true || inline.some((constraint) => constraint.contype === 'CONSTR_NOTNULL' || constraint.contype === 'CONSTR_PRIMARY' || constraint.contype === 'CONSTR_IDENTITY');
    return { name: definition.colname, type: definition.typeName, typeText: typeText(definition.typeName), notNull, addedAt: this.at };
  }

  private inlineConstraints(table: QualifiedName, column: ColumnDef, inCreateTable: boolean): ConstraintState[] {
    return constraintNodes(column.constraints).flatMap((constraint) => {
      if (constraint.contype === 'CONSTR_NOTNULL' || constraint.contype === 'CONSTR_NULL' || constraint.contype === 'CONSTR_DEFAULT') return [];
      const state = this.constraint(table, constraint, column.colname, inCreateTable);
      return state ? [state] : [];
    });
  }

  private constraint(table: QualifiedName, constraint: Constraint, column: string | undefined, inCreateTable: boolean): ConstraintState | undefined {
    const kind = constraintKind(constraint);
    if (!kind) return undefined;
    const expression = kind === 'check' ? constraint.raw_expr : undefined;
    const columns =
      column !== undefined ? [column] : kind === 'foreign-key' ? namesOf(constraint.fk_attrs) : kind === 'check' ? referencedColumns(expression) : namesOf(constraint.keys);
    const referenced = constraint.pktable ? { schema: constraint.pktable.schemaname, name: constraint.pktable.relname ?? '' } : undefined;
    return {
      name: constraint.conname ?? defaultConstraintName(table.name, kind, columns),
      kind,
      columns,
      expression,
      expressionText: kind === 'check' ? checkText(this.statement, constraint) : undefined,
      // CREATE TABLE ignores NOT VALID: a new table has no rows to skip.
      validated: inCreateTable || constraint.skip_validation !== true,
      references: referenced,
      addedAt: this.at,
    };
  }

  /** The index a UNIQUE or PRIMARY KEY constraint builds (named like it). */
  private constraintIndex(table: QualifiedName, constraint: ConstraintState): IndexState[] {
    if (constraint.kind !== 'unique' && constraint.kind !== 'primary-key' && constraint.kind !== 'exclusion') return [];
    const { columns } = constraint;
    return [{ name: { schema: table.schema, name: constraint.name }, columns, dependsOn: columns, unique: constraint.kind !== 'exclusion', valid: true, createdAt: this.at }];
  }

  alterTable(relation: RangeVar, cmd: AlterTableCmd): void {
    const name = this.resolveTable({ schema: relation.schemaname, name: relation.relname ?? '' });
    const table = name && this.latestTable(name);
    if (!name || !table) return;
    const next = this.alteredTable(table, cmd);
    if (next !== table) this.setTable(name, next);
  }

  private alteredTable(table: TableState, cmd: AlterTableCmd): TableState {
    const definition = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : undefined;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const column = definition && this.column(definition);
        if (!column || table.columns.some((existing) => existing.name === column.name)) return table;
        const constraints = this.inlineConstraints(table.name, definition!, false);
        const indexes = constraints.flatMap((constraint) => this.constraintIndex(table.name, constraint));
        for (const index of indexes) this.indexMade(index.name, qualifiedKey(table.name));
        return { ...table, columns: [...table.columns, column], constraints: [...table.constraints, ...constraints], indexes: [...table.indexes, ...indexes] };
      }
      case 'AT_DropColumn':
        return this.withoutColumn(table, cmd.name);
      case 'AT_AlterColumnType':
        return withColumn(table, cmd.name, (column) => ({ ...column, type: definition?.typeName, typeText: typeText(definition?.typeName) }));
      case 'AT_SetNotNull':
      case 'AT_AddIdentity':
        return withColumn(table, cmd.name, (column) => ({ ...column, notNull: true }));
      case 'AT_DropNotNull':
        return withColumn(table, cmd.name, (column) => ({ ...column, notNull: false }));
      case 'AT_AddConstraint':
        return cmd.def && 'Constraint' in cmd.def ? this.withConstraint(table, cmd.def.Constraint) : table;
      case 'AT_DropConstraint':
        return this.withoutConstraint(table, cmd.name);
      case 'AT_ValidateConstraint':
        return { ...table, constraints: table.constraints.map((constraint) => (constraint.name === cmd.name ? { ...constraint, validated: true } : constraint)) };
      default:
        return table;
    }
  }

  private withConstraint(table: TableState, node: Constraint): TableState {
    const constraint = this.constraint(table.name, node, undefined, false);
    if (!constraint) return table;
    // ADD … USING INDEX: the existing index becomes the constraint's, renamed to it.
    const used = node.indexname !== undefined ? table.indexes.find((index) => index.name.name === node.indexname) : undefined;
    const columns = used ? used.columns.flatMap((column) => (column === undefined ? [] : [column])) : constraint.columns;
    const added = { ...constraint, columns, name: node.conname ?? (used ? used.name.name : constraint.name) };
    let indexes = table.indexes;
    if (used) {
      indexes = indexes.map((index) => (index === used ? { ...index, name: { ...index.name, name: added.name } } : index));
      this.indexGone(used.name);
      this.indexMade({ ...used.name, name: added.name }, qualifiedKey(table.name));
    } else {
      const built = this.constraintIndex(table.name, added);
      for (const index of built) this.indexMade(index.name, qualifiedKey(table.name));
      indexes = [...indexes, ...built];
    }
    const setsNotNull = added.kind === 'primary-key' || (added.kind === 'not-null' && added.validated);
    const tableColumns = setsNotNull ? table.columns.map((column) => (added.columns.includes(column.name) ? { ...column, notNull: true } : column)) : table.columns;
    return { ...table, columns: tableColumns, constraints: [...table.constraints, added], indexes };
  }

  private withoutConstraint(table: TableState, name: string | undefined): TableState {
    const dropped = table.constraints.find((constraint) => constraint.name === name);
    if (!dropped) return table;
    const index = table.indexes.find((candidate) => candidate.name.name === name);
    if (index) this.indexGone(index.name);
    // The columns stay as they are: dropping a primary key removes its index, not its columns' NOT NULL.
    return { ...table, constraints: table.constraints.filter((constraint) => constraint !== dropped), indexes: index ? table.indexes.filter((candidate) => candidate !== index) : table.indexes };
  }

  /** DROP COLUMN also drops the indexes and constraints on it. */
  private withoutColumn(table: TableState, name: string | undefined): TableState {
    if (name === undefined || !table.columns.some((column) => column.name === name)) return table;
    const indexes = table.indexes.filter((index) => !index.dependsOn.includes(name));
    for (const index of table.indexes) if (!indexes.includes(index)) this.indexGone(index.name);
    return {
      ...table,
      columns: table.columns.filter((column) => column.name !== name),
      constraints: table.constraints.filter((constraint) => !constraint.columns.includes(name)),
      indexes,
    };
  }

  createIndex(index: NodeOf<'IndexStmt'>): void {
    if (!index.relation) return;
    const tableName = this.resolveTable({ schema: index.relation.schemaname, name: index.relation.relname ?? '' });
    const table = tableName && this.latestTable(tableName);
    const columns = (index.indexParams ?? []).map((param) => ('IndexElem' in param ? param.IndexElem.name : undefined));
    // On a table the migrations do not show, the index may be made again under a name they dropped.
    if (!tableName || !table) return forgetDroppedIndex(this.catalogue, index.idxname ?? defaultIndexName(index.relation.relname ?? '', columns), this.at);
    const name = { schema: tableName.schema, name: index.idxname ?? defaultIndexName(tableName.name, columns) };
    if (index.if_not_exists && this.catalogue.indexOwners.latest(name) !== undefined) return;
    // ON ONLY a partitioned table: invalid until an index of every partition is attached.
    const valid = !(table.kind === 'partitioned-table' && index.relation.inh !== true);
    const dependsOn = [...new Set([...elementColumns(index.indexParams), ...elementColumns(index.indexIncludingParams), ...referencedColumns(index.whereClause)])];
    const state: IndexState = { name, columns, dependsOn, unique: index.unique === true, valid, createdAt: this.at };
    this.setTable(tableName, { ...table, indexes: [...table.indexes.filter((existing) => existing.name.name !== name.name), state] });
    this.indexMade(name, qualifiedKey(tableName));
  }

  /** An index made under the name (or moved to it), on the table of key `owner`. */
  private indexMade(name: QualifiedName, owner: string): void {
    this.catalogue.indexOwners.set(name, this.at, owner);
    if (this.catalogue.droppedIndexes.latest(name)) this.catalogue.droppedIndexes.set(name, this.at, undefined);
  }

  /** The index is gone from under the name (dropped, or renamed away): a DROP INDEX of the name finds nothing. */
  private indexGone(name: QualifiedName): void {
    this.catalogue.indexOwners.set(name, this.at, undefined);
    this.catalogue.droppedIndexes.set(name, this.at, true);
  }

  rename(rename: NodeOf<'RenameStmt'>): void {
    const { renameType, relation, subname, newname } = rename;
    if (newname === undefined) return;
    const relationName = relation && { schema: relation.schemaname, name: relation.relname ?? '' };
    switch (renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_FOREIGN_TABLE': {
        const from = relationName && this.resolveTable(relationName);
        if (from) this.moveTable(from, { schema: from.schema, name: newname });
        return;
      }
      case 'OBJECT_INDEX':
        if (relationName) this.renameIndex(relationName, newname);
        return;
      case 'OBJECT_COLUMN':
        if (relationName && subname !== undefined) this.updateTable(relationName, (table) => renamedColumn(table, subname, newname));
        return;
      case 'OBJECT_TABCONSTRAINT':
        if (relationName && subname !== undefined) this.updateTable(relationName, (table) => renamedConstraint(table, subname, newname));
        return;
      case 'OBJECT_SCHEMA':
        if (subname !== undefined) this.renameSchema(subname, newname);
        return;
      case 'OBJECT_TRIGGER':
        if (relationName && subname !== undefined) this.updateTable(relationName, (table) => withTriggers(table, (names) => [...names.filter((name) => name !== subname), newname]));
        return;
      default:
        return;
    }
  }

  setSchema(statement: NodeOf<'AlterObjectSchemaStmt'>): void {
    const { objectType, relation, newschema } = statement;
    if (newschema === undefined || !relation || !['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW'].includes(objectType ?? '')) return;
    const from = this.resolveTable({ schema: relation.schemaname, name: relation.relname ?? '' });
    if (from) this.moveTable(from, { schema: newschema, name: from.name });
  }

  /** A renamed (or moved) table keeps what it was, new-ness included; its indexes follow it to a new schema. */
  private moveTable(from: QualifiedName, to: QualifiedName): void {
    const table = this.latestTable(from);
    if (!table) return;
    const indexes = table.indexes.map((index) => ({ ...index, name: { schema: to.schema, name: index.name.name } }));
    for (const index of table.indexes) this.indexGone(index.name);
    for (const index of indexes) this.indexMade(index.name, qualifiedKey(to));
    this.setTable(from, undefined);
    this.setTable(to, { ...table, name: to, indexes });
  }

  private renameIndex(name: RelationName, newName: string): void {
    const { indexOwners } = this.catalogue;
    const from = this.catalogue.resolve(indexOwners, name, this.at, true);
    const owner = from && indexOwners.latest(from);
    if (!from || owner === undefined) return;
    const to = { schema: from.schema, name: newName };
    this.indexGone(from);
    this.indexMade(to, owner);
    const tableName = { schema: owner.slice(0, owner.indexOf('\0')), name: owner.slice(owner.indexOf('\0') + 1) };
    const table = this.latestTable(tableName);
    if (!table) return;
    // A constraint's index carries the constraint's name: renaming one renames the other.
    const constraints = table.constraints.map((constraint) => (constraint.name === from.name && constraint.kind !== 'check' ? { ...constraint, name: newName } : constraint));
    this.setTable(tableName, { ...table, constraints, indexes: table.indexes.map((index) => (index.name.name === from.name ? { ...index, name: to } : index)) });
  }

  private renameSchema(from: string, to: string): void {
    for (const name of this.catalogue.relationKeysIn(from)) if (this.latestTable(name)) this.moveTable(name, { schema: to, name: name.name });
    this.catalogue.schemas.set({ schema: '', name: from }, this.at, undefined);
    this.catalogue.schemas.set({ schema: '', name: to }, this.at, 'known');
  }

  drop(drop: NodeOf<'DropStmt'>): void {
    for (const object of drop.objects ?? []) {
      switch (drop.removeType) {
        case 'OBJECT_TABLE':
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
        case 'OBJECT_FOREIGN_TABLE': {
          const name = dottedName(object);
          const resolved = name && this.resolveTable(name);
          if (resolved) this.dropTable(resolved);
          break;
        }
        case 'OBJECT_INDEX': {
          const name = dottedName(object);
          const index = name && this.catalogue.resolve(this.catalogue.indexOwners, name, this.at, true);
          const owner = index && this.catalogue.indexOwners.latest(index);
          if (!index || owner === undefined) break;
          this.indexGone(index);
          const tableName = { schema: owner.slice(0, owner.indexOf('\0')), name: owner.slice(owner.indexOf('\0') + 1) };
          const table = this.latestTable(tableName);
          if (table) this.setTable(tableName, { ...table, indexes: table.indexes.filter((candidate) => candidate.name.name !== index.name) });
          break;
        }
        case 'OBJECT_FUNCTION':
        case 'OBJECT_PROCEDURE':
        case 'OBJECT_ROUTINE':
          this.dropFunction(object);
          break;
        case 'OBJECT_TRIGGER': {
          // DROP TRIGGER t ON [schema.]table: the object is the table's names, then the trigger's.
          const names = 'List' in object ? namesOf(object.List.items) : [];
          const trigger = names.pop();
          const table = relationFromNames(names);
          if (trigger !== undefined && table) this.updateTable(table, (state) => withTriggers(state, (triggers) => triggers.filter((name) => name !== trigger)));
          break;
        }
        case 'OBJECT_DOMAIN': {
          const name = 'TypeName' in object ? relationFromNames(namesOf(object.TypeName.names)) : undefined;
          const resolved = name && this.catalogue.resolve(this.catalogue.domains, name, this.at, false);
          if (resolved) this.catalogue.domains.set(resolved, this.at, undefined);
          break;
        }
        case 'OBJECT_SCHEMA': {
          const schema = 'String' in object ? object.String.sval : undefined;
          if (schema === undefined) break;
          this.catalogue.schemas.set({ schema: '', name: schema }, this.at, undefined);
          // Without CASCADE a schema that still holds objects cannot be dropped: the statement fails.
          if (drop.behavior === 'DROP_CASCADE') for (const name of this.catalogue.relationKeysIn(schema)) if (this.latestTable(name)) this.dropTable(name);
          break;
        }
        default:
          break;
      }
    }
  }

  private dropTable(name: QualifiedName): void {
    const table = this.latestTable(name);
    if (!table) return;
    for (const index of table.indexes) this.indexGone(index.name);
    this.setTable(name, undefined);
  }

  /** CREATE [OR REPLACE] [CONSTRAINT] TRIGGER t … ON table. */
  createTrigger(create: NodeOf<'CreateTrigStmt'>): void {
    const { trigname, relation } = create;
    if (trigname === undefined || !relation) return;
    this.updateTable({ schema: relation.schemaname, name: relation.relname ?? '' }, (table) => withTriggers(table, (names) => [...names.filter((name) => name !== trigname), trigname]));
  }

  createFunction(create: NodeOf<'CreateFunctionStmt'>): void {
    const written = relationFromNames(namesOf(create.funcname));
    if (!written) return;
    const name = this.catalogue.creationName(written, this.at);
    const argumentTypes = (create.parameters ?? []).flatMap((parameter) => {
      if (!('FunctionParameter' in parameter)) return [];
      const { mode, argType } = parameter.FunctionParameter;
      return mode === 'FUNC_PARAM_OUT' || mode === 'FUNC_PARAM_TABLE' ? [] : [typeText(argType)];
    });
    const volatility = (create.options ?? []).flatMap((option) => ('DefElem' in option && option.DefElem.defname === 'volatility' && option.DefElem.arg && 'String' in option.DefElem.arg ? [option.DefElem.arg.String.sval] : []))[0];
    const state: FunctionState = { name, argumentTypes, volatility: isVolatility(volatility) ? volatility : 'volatile', createdAt: this.at };
    const overloads = this.catalogue.functions.latest(name) ?? [];
    const others = overloads.filter((overload) => !sameArguments(overload.argumentTypes, argumentTypes));
    this.catalogue.functions.set(name, this.at, [...others, state]);
  }

  private dropFunction(object: Node): void {
    if (!('ObjectWithArgs' in object)) return;
    const { objname, objargs, args_unspecified } = object.ObjectWithArgs;
    const written = relationFromNames(namesOf(objname));
    const name = written && this.catalogue.resolve(this.catalogue.functions, written, this.at, false);
    const overloads = name && this.catalogue.functions.latest(name);
    if (!name || !overloads) return;
    const argumentTypes = (objargs ?? []).flatMap((arg) => ('TypeName' in arg ? [typeText(arg.TypeName)] : []));
    const remaining = args_unspecified ? [] : overloads.filter((overload) => !sameArguments(overload.argumentTypes, argumentTypes));
    this.catalogue.functions.set(name, this.at, remaining.length > 0 ? remaining : undefined);
  }

  createDomain(create: NodeOf<'CreateDomainStmt'>): void {
    const written = relationFromNames(namesOf(create.domainname));
    if (!written) return;
    const name = this.catalogue.creationName(written, this.at);
    const nodes = constraintNodes(create.constraints);
    const constraints = nodes.flatMap((node) => {
      const state = node.contype === 'CONSTR_CHECK' ? this.constraint(name, node, undefined, true) : undefined;
      return state ? [state] : [];
    });
    const domain: DomainState = {
      name,
      baseType: create.typeName,
      baseTypeText: typeText(create.typeName),
      notNull: nodes.some((node) => node.contype === 'CONSTR_NOTNULL'),
      constraints,
      createdAt: this.at,
    };
    this.catalogue.domains.set(name, this.at, domain);
  }

  alterDomain(alter: NodeOf<'AlterDomainStmt'>): void {
    const written = relationFromNames(namesOf(alter.typeName));
    const name = written && this.catalogue.resolve(this.catalogue.domains, written, this.at, false);
    const domain = name && this.catalogue.domains.latest(name);
    if (!name || !domain) return;
    const next = ((): DomainState => {
      switch (alter.subtype) {
        case 'C': {
          const constraint = alter.def && 'Constraint' in alter.def ? this.constraint(name, alter.def.Constraint, undefined, false) : undefined;
          return constraint ? { ...domain, constraints: [...domain.constraints, constraint] } : domain;
        }
        case 'X':
          return { ...domain, constraints: domain.constraints.filter((constraint) => constraint.name !== alter.name) };
        case 'V':
          return { ...domain, constraints: domain.constraints.map((constraint) => (constraint.name === alter.name ? { ...constraint, validated: true } : constraint)) };
        case 'O':
          return { ...domain, notNull: true };
        case 'N':
          return { ...domain, notNull: false };
        default:
          return domain;
      }
    })();
    if (next !== domain) this.catalogue.domains.set(name, this.at, next);
  }
}

function withColumn(table: TableState, name: string | undefined, change: (column: ColumnState) => ColumnState): TableState {
  const at = table.columns.findIndex((column) => column.name === name);
  if (at === -1) return table;
  const columns = [...table.columns];
  columns[at] = change(columns[at]!);
  return { ...table, columns };
}

function renamedColumn(table: TableState, from: string, to: string): TableState {
  const renamed = withColumn(table, from, (column) => ({ ...column, name: to }));
  if (renamed === table) return table;
  const rename = (column: string) => (column === from ? to : column);
  return {
    ...renamed,
    constraints: table.constraints.map((constraint) => (constraint.columns.includes(from) ? { ...constraint, columns: constraint.columns.map(rename) } : constraint)),
    indexes: table.indexes.map((index) =>
      index.dependsOn.includes(from) ? { ...index, columns: index.columns.map((column) => column && rename(column)), dependsOn: index.dependsOn.map(rename) } : index,
    ),
  };
}

function renamedConstraint(table: TableState, from: string, to: string): TableState {
  return { ...table, constraints: table.constraints.map((constraint) => (constraint.name === from ? { ...constraint, name: to } : constraint)) };
}

function constraintKind(constraint: Constraint): ConstraintKind | undefined {
  switch (constraint.contype) {
    case 'CONSTR_CHECK':
      return 'check';
    case 'CONSTR_UNIQUE':
      return 'unique';
    case 'CONSTR_PRIMARY':
      return 'primary-key';
    case 'CONSTR_FOREIGN':
      return 'foreign-key';
    case 'CONSTR_EXCLUSION':
      return 'exclusion';
    case 'CONSTR_NOTNULL':
      return 'not-null';
    default:
      return undefined;
  }
}

/**
 * The name PostgreSQL gives an unnamed constraint (ChooseConstraintName): `table_cols_fkey`,
 * `table_col_check` when the expression uses one column, `table_pkey`, `table_cols_key`. A clash
 * with an existing name would make PostgreSQL append a digit.
 */
function defaultConstraintName(table: string, kind: ConstraintKind, columns: readonly string[]): string {
  switch (kind) {
    case 'primary-key':
      return `${table}_pkey`;
    case 'foreign-key':
      return [table, ...columns, 'fkey'].join('_');
    case 'check':
      return [table, ...(columns.length === 1 ? columns : []), 'check'].join('_');
    case 'not-null':
      return [table, ...columns, 'not_null'].join('_');
    case 'exclusion':
      return [table, ...columns, 'excl'].join('_');
    case 'unique':
      return [table, ...columns, 'key'].join('_');
  }
}

/** The columns index elements use: a plain column's name, or those an expression references. */
function elementColumns(elements: readonly Node[] | undefined): string[] {
  return (elements ?? NO_NODES).flatMap((element) => ('IndexElem' in element ? (element.IndexElem.name !== undefined ? [element.IndexElem.name] : referencedColumns(element.IndexElem.expr)) : []));
}

/** CREATE INDEX without a name: `table_col1_col2_idx` (`expr` for an expression). */
const defaultIndexName = (table: string, columns: readonly (string | undefined)[]) => [table, ...columns.map((column) => column ?? 'expr'), 'idx'].join('_');

// Loops, not flatMap: these run for every column of every table a long file creates.
function constraintNodes(nodes: readonly Node[] | undefined): Constraint[] {
  const constraints: Constraint[] = [];
  for (const node of nodes ?? NO_NODES) if ('Constraint' in node) constraints.push(node.Constraint);
  return constraints;
}

const NO_NODES: readonly Node[] = [];

/** `a.b` of a DROP's object list (a List of names, or a bare name). */
/** The table with its trigger names changed, when the migrations show them all. */
function withTriggers(table: TableState, change: (names: readonly string[]) => readonly string[]): TableState {
  return table.triggers === undefined ? table : { ...table, triggers: change(table.triggers) };
}

function dottedName(object: Node): RelationName | undefined {
  if ('List' in object) return relationFromNames(namesOf(object.List.items));
  if ('String' in object && object.String.sval !== undefined) return { schema: undefined, name: object.String.sval };
  return undefined;
}


/** The type as a user would write it (`varchar(20)`, `int4[]`), or its dotted name when its modifiers are not plain numbers. */
export function typeText(type: TypeName | undefined): string {
  if (!type) return '';
  let text = TYPE_TEXTS.get(type);
  if (text === undefined) TYPE_TEXTS.set(type, (text = spelledType(type)));
  return text;
}

/** Syntax trees are shared by every analysis of the same statement text (the parser caches them): so are their types' texts. */
const TYPE_TEXTS = new WeakMap<TypeName, string>();

function spelledType(type: TypeName): string {
  const known = columnTypeOf(type);
  if (known) return displayType(known);
  return namesOf(type.names)
    .filter((name, i, all) => !(i === 0 && all.length > 1 && name === 'pg_catalog'))
    .join('.');
}

/** The text inside a CHECK constraint's parentheses, as written. */
function checkText(statement: ParsedStatement, constraint: Constraint): string | undefined {
  if (constraint.location === undefined || constraint.location < 0) return undefined;
  const from = statement.locate(constraint.location);
  const tokens = statement.tokens;
  const check = tokens.findIndex((token) => token.start >= from && token.type === 'word' && token.value === 'CHECK');
  if (check === -1 || tokens[check + 1]?.value !== '(') return undefined;
  let depth = 0;
  for (let i = check + 1; i < tokens.length; i++) {
    const value = tokens[i]!.value;
    if (value === '(') depth++;
    else if (value === ')' && --depth === 0) {
      return statement.text.slice(tokens[check + 1]!.end - statement.range.start, tokens[i]!.start - statement.range.start).trim();
    }
  }
  return undefined;
}

const isVolatility = (value: string | undefined): value is FunctionVolatility => value === 'immutable' || value === 'stable' || value === 'volatile';

const sameArguments = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((type, i) => type === b[i]);
