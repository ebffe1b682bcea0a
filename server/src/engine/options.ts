import type { SchemaSnapshot } from './model/schema/catalogue';

/** How the migration tool runs a file: `auto` recognises the tool, `always`/`never` say it outright. */
export const TRANSACTION_MODES = ['auto', 'always', 'never'] as const;
export type TransactionMode = (typeof TRANSACTION_MODES)[number];

/** A rule's configured severity, or `off`. */
export type RuleSetting = 'error' | 'warning' | 'info' | 'off';
export const RULE_SETTINGS: readonly RuleSetting[] = ['error', 'warning', 'info', 'off'];

/** What the analysis needs to know about the target database and how the migration runs. */
export interface LintOptions {
  /**
   * PostgreSQL major version the migration will run on. The default is the oldest release the
   * PostgreSQL community still supports (as of late 2026), so no rule assumes a newer server's leniency.
   */
  pgVersion: number;
  /**
   * Whether the migration tool wraps each file in a transaction. `auto` recognises Flyway,
   * golang-migrate, dbmate, Prisma, Drizzle, diesel, sqitch, Supabase and node-pg-migrate from the
   * file's path and content; `always` and `never` override that.
   */
  transactionMode: TransactionMode;
  /** The file's path (any form; only its shape is used to recognise the migration tool). */
  filePath: string | undefined;
  /** Reads a file next to the migration (e.g. diesel's metadata.toml); absent in pure in-memory use. */
  readSibling: ((name: string) => string | undefined) | undefined;
  /**
   * The names in a folder relative to the migration's (`.` by default, `..` for the folder of a
   * migration that is a folder), to name a new migration after this one; absent in pure in-memory use.
   */
  listSiblings?: (folder?: string) => readonly string[];
  /** Per-rule severity overrides from the project configuration and editor settings. */
  rules: Readonly<Record<string, RuleSetting>>;
  /** How rules treat migrations an ORM or diff tool generated (see model/generated-migration.ts). */
  generatedMigrations: GeneratedMigrationSettings;
  /**
   * The schema the earlier migrations of the file's set leave (see model/migration-set.ts); absent:
   * only this file's statements are known. Rules read it through `RuleContext.schema`.
   */
  priorSchema?: SchemaSnapshot;
}

/**
 * `styleRules: 'off'` (the default) keeps the type-style rules (prefer-timestamptz, …) quiet on generated
 * SQL, whose fix belongs in the ORM's schema; `on` reports them there, pointing to that schema.
 */
export interface GeneratedMigrationSettings {
  styleRules: 'on' | 'off';
}
export const GENERATED_STYLE_SETTINGS = ['on', 'off'] as const;

export const DEFAULT_PG_VERSION = 15;
export const SUPPORTED_PG_VERSIONS = { min: 10, max: 18 } as const;

export const defaultOptions = (): LintOptions => ({ pgVersion: DEFAULT_PG_VERSION, transactionMode: 'auto', filePath: undefined, readSibling: undefined, rules: {}, generatedMigrations: { styleRules: 'off' } });
