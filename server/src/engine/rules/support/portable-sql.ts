import { baseName } from '../../model/frameworks/framework';
import { perFile, type RuleContext } from '../rule';

/** A pop/popx migration named for one database: `<version>_<name>.<dialect>[.autocommit].up.sql`. */
const DIALECT_MIGRATION = /^\d+_[^.]+\.(?:postgres|cockroach|mysql|sqlite3)(?:\.autocommit)?\.(?:up|down)\.sql$/;

/** A migration named without a dialect: `<version>_<name>[.autocommit].up.sql`. */
const NEUTRAL_MIGRATION = /^\d+_[^.]+(?:\.autocommit)?\.(?:up|down)\.sql$/;

/**
 * Whether the file is a dialect-neutral pop/popx migration (Ory Hydra and Kratos): named without a
 * database in a folder whose other migrations name theirs, so pop runs it on every database the
 * project supports — MySQL, SQLite and CockroachDB as well as PostgreSQL. Its column types are chosen
 * to work on all of them: `text` in a MySQL key or `timestamptz` on MySQL would break the migration
 * there. A PostgreSQL-only type belongs in a `.postgres.up.sql` migration of its own.
 */
export const isPortablePopMigration = perFile((context: RuleContext): boolean => {
  const path = context.options.filePath?.replace(/\\/g, '/');
  if (!path || !NEUTRAL_MIGRATION.test(baseName(path))) return false;
  return (context.options.listSiblings?.() ?? []).some((name) => DIALECT_MIGRATION.test(name));
});
