import { generatedMigration, type GeneratedMigration } from '../../model/generated-migration';
import { perFile, type Report, type RuleContext } from '../rule';
import { MIGRATION_TOOL_TABLES_NOTE } from './migration-tool-tables';
import { isPortablePopMigration } from './portable-sql';

/** The last sentence of every type-style rule's documentation. */
export const GENERATED_SQL_NOTE =
  'Not reported in SQL that Prisma Migrate, drizzle-kit or `supabase db diff` generated: the type comes from the ORM\'s schema, ' +
  'and an edit of the generated SQL drifts from it. With `"generatedMigrations": { "styleRules": "on" }` in lockguard.json ' +
  'it is reported there too, pointing to the schema, without a SQL fix. Nor in a pop migration named without a database ' +
  '(`…_name.up.sql` beside `….postgres.up.sql` files), which runs on MySQL and SQLite too: their types are chosen to work everywhere. ' +
  MIGRATION_TOOL_TABLES_NOTE;

/**
 * A type-style rule's reports, as the file's origin calls for. Hand-written SQL: unchanged. SQL an ORM
 * or diff tool generated: dropped by default (`generatedMigrations.styleRules`), or else pointed at the
 * schema it came from, without a SQL fix — an edit of generated SQL drifts from that schema. SQL that
 * runs on other databases too (a dialect-neutral pop migration): dropped, PostgreSQL's types may not exist there.
 */
export function styleReports(context: RuleContext, reports: Report[]): Report[] {
  // Only a statement with something to say looks at the file: the others stay reusable (../../incremental.ts).
  if (reports.length === 0) return reports;
  if (isPortablePopMigration(context)) return [];
  const generated = generatedMigrationOf(context);
  if (!generated) return reports;
  if (context.options.generatedMigrations.styleRules === 'off') return [];
  return reports.map((report) => ({
    ...report,
    message: `${report.message} ${generated.changeInstead}`,
    fixes: [],
    noFixReason: `${generated.generator} generated this SQL: the change belongs in its schema, and an edit of the SQL would drift from it.`,
  }));
}

const generatedMigrationOf = perFile(
  (context: RuleContext): GeneratedMigration | undefined =>
    generatedMigration({ filePath: context.options.filePath, source: context.source, readSibling: context.options.readSibling }),
);
