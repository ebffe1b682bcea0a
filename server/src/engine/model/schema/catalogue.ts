import type { QualifiedName, RelationName } from '../relations';
import type { ColumnState, ConstraintState, DomainState, FunctionState, IndexState, SchemaHistory, SchemaOrigin, SchemaView, TableState } from './objects';
import { creationSchema, DEFAULT_SEARCH_PATH, USER_SCHEMA, type SearchPath } from './search-path';
import { nameOfKey, Versions } from './versions';

/**
 * The schema the earlier migrations of a set leave, which the next one starts from. Objects in it
 * carry no `createdAt`/`addedAt`: for the file being analysed they all predate it.
 */
export interface SchemaSnapshot {
  readonly relations: ReadonlyMap<string, TableState>;
  /** Index (qualified key) → the table it belongs to (qualified key). */
  readonly indexOwners: ReadonlyMap<string, string>;
  readonly functions: ReadonlyMap<string, readonly FunctionState[]>;
  readonly domains: ReadonlyMap<string, DomainState>;
  readonly schemas: ReadonlyMap<string, SchemaOrigin>;
  /** Indexes (qualified keys) the migrations made and dropped or renamed away since: a DROP INDEX of one finds nothing. */
  readonly droppedIndexes: ReadonlyMap<string, true>;
}

export const EMPTY_SCHEMA: SchemaSnapshot = { relations: new Map(), indexOwners: new Map(), functions: new Map(), domains: new Map(), schemas: new Map(), droppedIndexes: new Map() };

/** Temporary tables live in the session's own schema, searched before the search path for relations. */
export const TEMPORARY_SCHEMA = 'pg_temp';

/**
 * The schema objects over the statements of one file, on top of an earlier migrations' snapshot:
 * written by the replay (in statement order), read at any statement through `before`.
 */
export class Catalogue implements SchemaHistory {
  readonly relations: Versions<TableState>;
  readonly indexOwners: Versions<string>;
  readonly functions: Versions<readonly FunctionState[]>;
  readonly domains: Versions<DomainState>;
  readonly schemas: Versions<SchemaOrigin>;
  /** Index names that had an index and have none now (dropped, or renamed away); cleared where one may be made again. */
  readonly droppedIndexes: Versions<true>;
  /** The search path from each statement that set it on; each file starts with the default. */
  private readonly searchPaths: { at: number; path: SearchPath }[] = [{ at: Number.NEGATIVE_INFINITY, path: DEFAULT_SEARCH_PATH }];

  /** `versions`: made already (a truncated copy's), instead of from `prior`. */
  constructor(prior: SchemaSnapshot = EMPTY_SCHEMA, versions?: Pick<Catalogue, 'relations' | 'indexOwners' | 'functions' | 'domains' | 'schemas' | 'droppedIndexes'>) {
    this.relations = versions?.relations ?? new Versions(prior.relations);
    this.indexOwners = versions?.indexOwners ?? new Versions(prior.indexOwners);
    this.functions = versions?.functions ?? new Versions(prior.functions);
    this.domains = versions?.domains ?? new Versions(prior.domains);
    this.schemas = versions?.schemas ?? new Versions(prior.schemas);
    this.droppedIndexes = versions?.droppedIndexes ?? new Versions(prior.droppedIndexes);
  }

  /** The catalogue as the statements above `statementIndex` left it, to replay the rest of an edited file on. */
  truncatedBefore(statementIndex: number): Catalogue {
    const truncated = new Catalogue(EMPTY_SCHEMA, {
      relations: this.relations.truncatedBefore(statementIndex),
      indexOwners: this.indexOwners.truncatedBefore(statementIndex),
      functions: this.functions.truncatedBefore(statementIndex),
      domains: this.domains.truncatedBefore(statementIndex),
      schemas: this.schemas.truncatedBefore(statementIndex),
      droppedIndexes: this.droppedIndexes.truncatedBefore(statementIndex),
    });
    truncated.searchPaths.push(...this.searchPaths.filter(({ at }) => at < statementIndex && at !== Number.NEGATIVE_INFINITY));
    return truncated;
  }

  before(statementIndex: number): SchemaView {
    return new CatalogueView(this, statementIndex);
  }

  setSearchPath(at: number, path: SearchPath): void {
    this.searchPaths.push({ at, path });
  }

  searchPathBefore(before: number): SearchPath {
    let low = 0;
    let high = this.searchPaths.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.searchPaths[middle]!.at < before) low = middle + 1;
      else high = middle;
    }
    return this.searchPaths[low - 1]!.path;
  }

  /** Where a statement at `at` creates an object it names: its schema, or the first of the search path. */
  creationName(name: RelationName, at: number, temporary = false): QualifiedName {
    if (temporary) return { schema: TEMPORARY_SCHEMA, name: name.name };
    return { schema: name.schema ?? creationSchema(this.searchPathBefore(at)), name: name.name };
  }

  /**
   * The object a name means before statement `before`, as PostgreSQL looks it up: a qualified name
   * as written; an unqualified one in the first schema of the search path that has it (temporary
   * relations first). Where the path starts from `$user` — the user's schema, which the migration
   * does not show — a name no listed schema has may be in it: any other schema holding it is taken.
   */
  resolve<T>(versions: Versions<T>, name: RelationName, before: number, temporaryFirst: boolean): QualifiedName | undefined {
    if (!versions.knows(name.name)) return undefined;
    if (name.schema !== undefined) {
      const qualified = { schema: name.schema, name: name.name };
      return versions.get(qualified, before) === undefined ? undefined : qualified;
    }
    const path = this.searchPathBefore(before);
    const listed = temporaryFirst ? [TEMPORARY_SCHEMA, ...path] : path;
    for (const schema of listed) {
      if (schema === USER_SCHEMA) continue;
      const qualified = { schema, name: name.name };
      if (versions.get(qualified, before) !== undefined) return qualified;
    }
    if (!path.includes(USER_SCHEMA)) return undefined;
    for (const schema of versions.schemasNamed(name.name)) {
      if (listed.includes(schema) || schema === TEMPORARY_SCHEMA) continue;
      const qualified = { schema, name: name.name };
      if (versions.get(qualified, before) !== undefined) return qualified;
    }
    return undefined;
  }

  /** The schema after the whole replay, as the next migration of the set sees it (temporary tables end with the session). */
  snapshot(): SchemaSnapshot {
    const relations = this.relations.final();
    const indexOwners = this.indexOwners.final();
    for (const [key, table] of this.relations.changed()) {
      if (table?.temporary) relations.delete(key);
      else if (table) relations.set(key, asEarlier(table));
    }
    for (const [key, owner] of indexOwners) if (!relations.has(owner)) indexOwners.delete(key);
    const functions = this.functions.final();
    for (const [key, overloads] of this.functions.changed()) {
      if (overloads) functions.set(key, overloads.map((overload) => ({ ...overload, createdAt: undefined })));
    }
    const domains = this.domains.final();
    for (const [key, domain] of this.domains.changed()) {
      if (domain) domains.set(key, { ...domain, createdAt: undefined, constraints: domain.constraints.map(constraintAsEarlier) });
    }
    const droppedIndexes = this.droppedIndexes.final();
    for (const key of droppedIndexes.keys()) if (indexOwners.has(key)) droppedIndexes.delete(key);
    return { relations, indexOwners, functions, domains, schemas: this.schemas.final(), droppedIndexes };
  }

  /** Every relation key known, for statements that act on a whole schema (DROP SCHEMA … CASCADE). */
  relationKeysIn(schema: string): QualifiedName[] {
    return this.relations.namesIn(schema);
  }
}

const asEarlier = (table: TableState): TableState => ({
  ...table,
  createdAt: undefined,
  columns: table.columns.map((column): ColumnState => (column.addedAt === undefined ? column : { ...column, addedAt: undefined })),
  constraints: table.constraints.map(constraintAsEarlier),
  indexes: table.indexes.map((index): IndexState => (index.createdAt === undefined ? index : { ...index, createdAt: undefined })),
});

const constraintAsEarlier = (constraint: ConstraintState): ConstraintState => (constraint.addedAt === undefined ? constraint : { ...constraint, addedAt: undefined });

const NOTHING: readonly never[] = [];

class CatalogueView implements SchemaView {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly at: number,
  ) {}

  resolve(name: RelationName): QualifiedName | undefined {
    return this.catalogue.resolve(this.catalogue.relations, name, this.at, true);
  }

  table(name: RelationName): TableState | undefined {
    const resolved = this.resolve(name);
    return resolved && this.catalogue.relations.get(resolved, this.at);
  }

  column(table: RelationName, column: string): ColumnState | undefined {
    return this.table(table)?.columns.find((candidate) => candidate.name === column);
  }

  constraints(table: RelationName): readonly ConstraintState[] {
    return this.table(table)?.constraints ?? NOTHING;
  }

  indexes(table: RelationName): readonly IndexState[] {
    return this.table(table)?.indexes ?? NOTHING;
  }

  index(name: RelationName): IndexState | undefined {
    const { indexOwners, relations } = this.catalogue;
    const resolved = this.catalogue.resolve(indexOwners, name, this.at, true);
    const owner = resolved && indexOwners.get(resolved, this.at);
    if (!resolved || owner === undefined) return undefined;
    return relations.get(nameOfKey(owner), this.at)?.indexes.find((index) => index.name.name === resolved.name);
  }

  indexTable(name: RelationName): QualifiedName | undefined {
    const { indexOwners } = this.catalogue;
    const resolved = this.catalogue.resolve(indexOwners, name, this.at, true);
    const owner = resolved && indexOwners.get(resolved, this.at);
    return owner === undefined ? undefined : nameOfKey(owner);
  }

  isDroppedIndex(name: RelationName): boolean {
    if (this.indexTable(name) !== undefined) return false;
    const { droppedIndexes } = this.catalogue;
    // The schemas where PostgreSQL would look the name up (with `$user` on the path: any, as `resolve` does).
    const path = this.catalogue.searchPathBefore(this.at);
    const looked = name.schema !== undefined ? [name.schema] : path.includes(USER_SCHEMA) ? [...droppedIndexes.schemasNamed(name.name)] : [TEMPORARY_SCHEMA, ...path];
    return looked.some((schema) => droppedIndexes.get({ schema, name: name.name }, this.at) === true);
  }

  function(name: RelationName): readonly FunctionState[] {
    const resolved = this.catalogue.resolve(this.catalogue.functions, name, this.at, false);
    return (resolved && this.catalogue.functions.get(resolved, this.at)) ?? NOTHING;
  }

  domain(name: RelationName): DomainState | undefined {
    const resolved = this.catalogue.resolve(this.catalogue.domains, name, this.at, false);
    return resolved && this.catalogue.domains.get(resolved, this.at);
  }

  isNew(table: RelationName): boolean {
    return this.table(table)?.createdAt !== undefined;
  }

  schemaCreatedEmpty(name: string): boolean {
    return this.catalogue.schemas.get({ schema: '', name }, this.at) === 'created-empty';
  }

  schema(name: string): boolean {
    const { schemas, relations, functions, domains } = this.catalogue;
    if (schemas.get({ schema: '', name }, this.at) !== undefined) return true;
    // A schema no statement creates (made by hand or by the tool) exists once the migrations put objects in it.
    const holdsObjects = <T>(versions: Versions<T>) => versions.namesIn(name).some((object) => versions.get(object, this.at) !== undefined);
    return holdsObjects(relations) || holdsObjects(functions) || holdsObjects(domains);
  }
}
