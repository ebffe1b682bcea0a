import { GENERATED_STYLE_SETTINGS, RULE_SETTINGS, SUPPORTED_PG_VERSIONS, TRANSACTION_MODES, type EditorOverrides, type RuleSetting, type TransactionMode } from '../engine';

/**
 * The `lockguard` settings section (VS Code settings, or `initializationOptions` / workspace
 * configuration from other editors). Unset values leave lockguard.json and the defaults in charge.
 */
export interface ServerSettings {
  enable: boolean;
  overrides: EditorOverrides;
}

export const DEFAULT_SETTINGS: ServerSettings = { enable: true, overrides: {} };

/** Reads settings leniently: a bad value is ignored (the project file or default applies) rather than breaking analysis. */
export function readSettings(raw: unknown, previous: ServerSettings): ServerSettings {
  if (typeof raw !== 'object' || raw === null) return previous;
  const { enable, pgVersion, transactionMode, rules, generatedMigrations, exclude } = raw as Record<string, unknown>;
  const overrides: EditorOverrides = {};
  if (typeof pgVersion === 'number' && Number.isInteger(pgVersion) && pgVersion >= SUPPORTED_PG_VERSIONS.min && pgVersion <= SUPPORTED_PG_VERSIONS.max) overrides.pgVersion = pgVersion;
  if (TRANSACTION_MODES.includes(transactionMode as TransactionMode)) overrides.transactionMode = transactionMode as TransactionMode;
  if (typeof rules === 'object' && rules !== null) {
    overrides.rules = Object.fromEntries(Object.entries(rules).filter((entry): entry is [string, RuleSetting] => RULE_SETTINGS.includes(entry[1] as RuleSetting)));
  }
  const styleRules = GENERATED_STYLE_SETTINGS.find((setting) => setting === (generatedMigrations as { styleRules?: unknown } | null | undefined)?.styleRules);
  if (styleRules) overrides.generatedMigrations = { styleRules };
  if (Array.isArray(exclude)) overrides.exclude = exclude.filter((pattern): pattern is string => typeof pattern === 'string');
  return { enable: typeof enable === 'boolean' ? enable : previous.enable, overrides };
}
