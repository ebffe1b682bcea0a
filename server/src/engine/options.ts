/** What the analysis needs to know about the target database. */
export interface LintOptions {
  /**
   * PostgreSQL major version the migration will run on. The default is the oldest release the
   * PostgreSQL community still supports (as of late 2026), so no rule assumes a newer server's leniency.
   */
  pgVersion: number;
}

export const DEFAULT_PG_VERSION = 15;
export const SUPPORTED_PG_VERSIONS = { min: 10, max: 18 } as const;

export const defaultOptions = (): LintOptions => ({ pgVersion: DEFAULT_PG_VERSION });
