import { GENERATED_STYLE_SETTINGS, RULE_SETTINGS, SUPPORTED_PG_VERSIONS, TRANSACTION_MODES, type GeneratedMigrationSettings, type RuleSetting, type TransactionMode } from '../options';
import { RULE_CATEGORIES, type RuleCategory } from '../rules/rule';

/** The project file every Lockguard front end reads: `lockguard.json`, found by walking up from the migration. */
export const CONFIG_FILE_NAME = 'lockguard.json';

export interface ProjectConfig {
  pgVersion?: number;
  transactionMode?: TransactionMode;
  rules?: Record<string, RuleSetting>;
  /** A setting for every rule of a category; a rule's own `rules` setting wins. */
  categories?: Partial<Record<RuleCategory, RuleSetting>>;
  generatedMigrations?: GeneratedMigrationSettings;
  /** Globs, relative to the file's directory, of migrations not to lint. */
  exclude?: string[];
}

export type ConfigParse = { ok: true; config: ProjectConfig } | { ok: false; problems: string[] };

/** Reads and checks a configuration; every problem is said in words, with the fix. */
export function parseProjectConfig(text: string, knownRules: readonly string[]): ConfigParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [`it is not valid JSON (${error instanceof Error ? error.message : String(error)})`] };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problems: ['it must be a JSON object, e.g. { "pgVersion": 16 }'] };

  const problems: string[] = [];
  const config: ProjectConfig = {};
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case '$schema':
        break;
      case 'pgVersion':
        if (typeof value === 'number' && Number.isInteger(value) && value >= SUPPORTED_PG_VERSIONS.min && value <= SUPPORTED_PG_VERSIONS.max) config.pgVersion = value;
        else problems.push(`"pgVersion" must be a PostgreSQL major version from ${SUPPORTED_PG_VERSIONS.min} to ${SUPPORTED_PG_VERSIONS.max}, not ${JSON.stringify(value)}`);
        break;
      case 'transactionMode':
        if (TRANSACTION_MODES.includes(value as TransactionMode)) config.transactionMode = value as TransactionMode;
        else problems.push(`"transactionMode" must be one of ${TRANSACTION_MODES.map((mode) => `"${mode}"`).join(', ')}, not ${JSON.stringify(value)}`);
        break;
      case 'rules':
        config.rules = parseRules(value, knownRules, problems);
        break;
      case 'categories':
        config.categories = parseCategories(value, problems);
        break;
      case 'generatedMigrations':
        config.generatedMigrations = parseGeneratedMigrations(value, problems);
        break;
      case 'exclude':
        if (Array.isArray(value) && value.every((item) => typeof item === 'string')) config.exclude = value;
        else problems.push('"exclude" must be a list of glob patterns, e.g. ["migrations/legacy/**"]');
        break;
      default:
        problems.push(`unknown setting "${key}" (known: pgVersion, transactionMode, rules, categories, generatedMigrations, exclude)`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** `{ "styleRules": "on" }`: the type-style rules also check SQL an ORM generated. */
function parseGeneratedMigrations(value: unknown, problems: string[]): GeneratedMigrationSettings | undefined {
  const { styleRules, ...others } = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const setting = GENERATED_STYLE_SETTINGS.find((known) => known === styleRules);
  if (setting && Object.keys(others).length === 0) return { styleRules: setting };
  problems.push(
    `"generatedMigrations" must be { "styleRules": "on" } or { "styleRules": "off" } (whether the type-style rules check SQL that Prisma, Drizzle or supabase db diff generated), not ${JSON.stringify(value)}`,
  );
  return undefined;
}

function parseRules(value: unknown, knownRules: readonly string[], problems: string[]): Record<string, RuleSetting> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('"rules" must map rule ids to "error", "warning", "info" or "off"');
    return {};
  }
  const rules: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(value)) {
    if (!knownRules.includes(id)) {
      const suggestion = closest(id, knownRules);
      problems.push(`"rules" names "${id}", which is not a Lockguard rule${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
    } else if (!RULE_SETTINGS.includes(setting as RuleSetting)) {
      problems.push(`"rules.${id}" must be "error", "warning", "info" or "off", not ${JSON.stringify(setting)}`);
    } else rules[id] = setting as RuleSetting;
  }
  return rules;
}

/** `{ "style": "off", "locks": "error" }`: every rule of the category at that setting. */
function parseCategories(value: unknown, problems: string[]): Partial<Record<RuleCategory, RuleSetting>> {
  const known = RULE_CATEGORIES.map((category) => `"${category}"`).join(', ');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`"categories" must map rule categories (${known}) to "error", "warning", "info" or "off", e.g. { "style": "off" }`);
    return {};
  }
  const categories: Partial<Record<RuleCategory, RuleSetting>> = {};
  for (const [name, setting] of Object.entries(value)) {
    const category = RULE_CATEGORIES.find((candidate) => candidate === name);
    if (!category) {
      const suggestion = closest(name, RULE_CATEGORIES);
      problems.push(`"categories" names "${name}", which is not a rule category${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; the categories are ${known}`);
    } else if (!RULE_SETTINGS.includes(setting as RuleSetting)) {
      problems.push(`"categories.${category}" must be "error", "warning", "info" or "off", not ${JSON.stringify(setting)}`);
    } else categories[category] = setting as RuleSetting;
  }
  return categories;
}

/** The known id nearest to a misspelt one, if it is near enough to be what was meant. */
function closest(id: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(id, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(id.length / 4)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
