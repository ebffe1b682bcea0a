/**
 * Which tool generated a migration file from a schema, recognised from the file's path and content.
 * Advice about a generated file's SQL belongs in that schema: an edit of the SQL alone makes the
 * database drift from what the tool believes, and the next generated migration may undo it.
 */

/** A tool that writes migrations from a schema or a database diff. */
export type MigrationGenerator = 'Prisma' | 'Drizzle' | 'Supabase CLI';

export interface GeneratedMigration {
  generator: MigrationGenerator;
  /** Where a change belongs instead of the SQL, in one sentence for a finding's message. */
  changeInstead: string;
}

export interface MigrationFile {
  /** Any form of the path; only its shape is used. */
  filePath: string | undefined;
  source: string;
  /** Reads a file relative to the migration's directory. */
  readSibling: ((name: string) => string | undefined) | undefined;
}

const CHANGE_INSTEAD: Readonly<Record<MigrationGenerator, string>> = {
  Prisma:
    'Prisma Migrate generated this SQL from schema.prisma: change the field there (its @db native type attribute) and run prisma migrate dev; ' +
    'an edit of the generated SQL leaves the schema and the database disagreeing.',
  Drizzle:
    'drizzle-kit generated this SQL from your Drizzle schema: change the column there and run drizzle-kit generate; ' +
    'an edit of the generated SQL is missing from its snapshot, so the next generated migration undoes it.',
  'Supabase CLI':
    'supabase db diff generated this SQL from a database that already has this column: change it there, or in a new migration, not in this file.',
};

/** The tool that generated the file, or undefined for a migration written by hand. */
export function generatedMigration(file: MigrationFile): GeneratedMigration | undefined {
  const generator = generatorOf(file);
  return generator && { generator, changeInstead: CHANGE_INSTEAD[generator] };
}

function generatorOf({ filePath, source, readSibling }: MigrationFile): MigrationGenerator | undefined {
  const path = filePath?.replace(/\\/g, '/');
  if (path && PRISMA_PATH.test(path)) return PRISMA_STEP_COMMENT.test(source) || (PRISMA_FORMATTING.test(source) && !hasLineComment(source)) ? 'Prisma' : undefined;
  if (path && SUPABASE_DIFF_PATH.test(path)) return 'Supabase CLI';
  if (DRIZZLE_CUSTOM_BANNER.test(source)) return undefined;
  // drizzle-kit output that someone annotated is still generated: its statements come from the schema.
  if (source.includes(DRIZZLE_BREAKPOINT)) return 'Drizzle';
  // A one-statement file has no breakpoint: the journal beside it says drizzle-kit wrote it, unless someone commented it.
  return readSibling?.('meta/_journal.json') !== undefined && !hasHandWrittenComment(source) ? 'Drizzle' : undefined;
}

/** `prisma/migrations/20240209110749_name/migration.sql` (the directory may be renamed; the layout stays). */
const PRISMA_PATH = /(^|\/)migrations\/\d{14}_[^/]+\/migration\.sql$/;

/**
 * Prisma Migrate heads each generated step with a comment such as `-- CreateTable` or `-- AddForeignKey`.
 * A file in Prisma's layout without one was written by hand (`prisma migrate dev --create-only`), unless
 * it is Prisma's output with the comments stripped (see PRISMA_FORMATTING).
 */
const PRISMA_STEP_COMMENT = /^-- (Create|Alter|Drop|Rename|Add|Redefine)[A-Z][A-Za-z]*[ \t]*\r?$/m;

/**
 * How Prisma Migrate writes SQL, for files whose step comments a team strips: `ADD COLUMN` followed by
 * five spaces, DateTime's `TIMESTAMP(3)`, primary keys named `"<Model>_pkey"`. Such a file without any
 * comment is Prisma's output; a file someone wrote usually says what it does.
 */
const PRISMA_FORMATTING = /ADD COLUMN {5}"|"\s+TIMESTAMP\(3\)|_pkey" PRIMARY KEY \("/;

const hasLineComment = (source: string) => /^\s*--/m.test(source);

/** `supabase db pull` / `supabase db diff` output, named `<timestamp>_remote_schema.sql`. */
const SUPABASE_DIFF_PATH = /(^|\/)\d+_remote_schema\.sql$/;

/** drizzle-kit's separator between generated statements. */
const DRIZZLE_BREAKPOINT = '--> statement-breakpoint';

/** `drizzle-kit generate --custom`: an empty file left to the user to write. */
const DRIZZLE_CUSTOM_BANNER = /^-- Custom SQL migration file/m;

/** Comments drizzle-kit writes itself: its introspection banner. */
const DRIZZLE_BANNERS = [/^-- Current sql file was generated after introspecting the database/, /^-- If you want to run this migration please uncomment this code/];

/** drizzle-kit writes no comments of its own besides its banners: a file with other line comments was written (or edited) by hand. */
function hasHandWrittenComment(source: string): boolean {
  return source.split('\n').some((line) => {
    const trimmed = line.trim();
    return trimmed.startsWith('--') && !trimmed.startsWith(DRIZZLE_BREAKPOINT) && !DRIZZLE_BANNERS.some((banner) => banner.test(trimmed));
  });
}
