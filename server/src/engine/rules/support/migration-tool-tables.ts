import type { RelationName } from '../../model/relations';

/**
 * The tables migration tools create for their own bookkeeping (which migrations ran, their checksums),
 * under their default names: docs/frameworks.md, "Migration tools' own tables", lists them with sources.
 * A migration that copies one (`CREATE TABLE IF NOT EXISTS schema_migrations …`, to pre-create it or to
 * adopt a tool) writes the tool's column types: the tool reads and writes them, so they are not the
 * project's to restyle, and the table usually exists already, which makes the statement a no-op.
 */
interface ToolTable {
  name: string;
  /** The schema the tool keeps the table in, when the name alone is too common (sqitch's `changes`). */
  schema?: string;
  /** The tool's exact columns, when the name alone is too common (postgres-migrations' `migrations`). */
  columns?: readonly string[];
}

const TOOL_TABLES: readonly ToolTable[] = [
  // golang-migrate, dbmate, Rails, Ecto and the Supabase CLI (supabase_migrations.schema_migrations).
  { name: 'schema_migrations' },
  { name: 'goose_db_version' },
  { name: 'gorp_migrations' }, // sql-migrate
  { name: 'flyway_schema_history' },
  { name: 'databasechangelog' }, // Liquibase
  { name: 'databasechangeloglock' },
  { name: '__drizzle_migrations' },
  { name: '_prisma_migrations' },
  { name: 'knex_migrations' },
  { name: 'knex_migrations_lock' },
  { name: 'pgmigrations' }, // node-pg-migrate
  { name: 'atlas_schema_revisions' },
  { name: '__diesel_schema_migrations' },
  { name: '_sqlx_migrations' },
  { name: 'alembic_version' },
  { name: 'schema_migration' }, // pop / popx
  // postgres-migrations: a name many applications use for tables of their own, so its columns must match too.
  { name: 'migrations', columns: ['id', 'name', 'hash', 'executed_at'] },
  ...['changes', 'dependencies', 'events', 'projects', 'releases', 'tags'].map((name) => ({ name, schema: 'sqitch' })),
  ...['migrations', 'current'].map((name) => ({ name, schema: 'graphile_migrate' })),
];

/**
 * Whether `CREATE TABLE IF NOT EXISTS table (columns)` copies a migration tool's bookkeeping table. The
 * schema is not compared unless the tool has one of its own: tools let a project choose it (Supabase
 * Storage keeps postgres-migrations' table in `storage`).
 */
export function isMigrationToolTable(table: RelationName, columns: readonly string[]): boolean {
  return TOOL_TABLES.some(
    (tool) =>
      tool.name === table.name &&
      (tool.schema === undefined || tool.schema === table.schema) &&
      (tool.columns === undefined || (tool.columns.length === columns.length && tool.columns.every((column) => columns.includes(column)))),
  );
}

/**
 * Whether the table is a migration tool's bookkeeping table, by name (and columns, where the schema history
 * knows them and the name alone is too common): the application's code does not read it.
 */
export function namesMigrationToolTable(table: RelationName, knownColumns: readonly string[] | undefined): boolean {
  return TOOL_TABLES.some(
    (tool) =>
      tool.name === table.name &&
      (tool.schema === undefined || tool.schema === table.schema) &&
      (tool.columns === undefined || (knownColumns !== undefined && isMigrationToolTable(table, knownColumns))),
  );
}

/** For the type rules' documentation. */
export const MIGRATION_TOOL_TABLES_NOTE =
  "Nor in `CREATE TABLE IF NOT EXISTS` of a migration tool's own bookkeeping table (`schema_migrations`, `goose_db_version`, " +
  "`flyway_schema_history`, `__drizzle_migrations`, `_prisma_migrations`, postgres-migrations' `migrations (id, name, hash, " +
  'executed_at)`, the `sqitch` registry, …; the list is in docs/frameworks.md): the tool creates it and reads and writes its types.';
