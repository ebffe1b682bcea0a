import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { GeneratedMigrationSettings, LintOptions, RuleSetting, TransactionMode } from '../options';
import { ALL_RULES } from '../rules/registry';
import { globToRegExp, matchesAny } from './glob';
import { CONFIG_FILE_NAME, parseProjectConfig, type ProjectConfig } from './project-config';

/** Settings an editor layers over the project file (VS Code settings, LSP initializationOptions). */
export interface EditorOverrides {
  pgVersion?: number;
  transactionMode?: TransactionMode;
  rules?: Record<string, RuleSetting>;
  generatedMigrations?: GeneratedMigrationSettings;
  exclude?: string[];
}

/** Everything that decides how one migration file is linted. */
export interface FileSettings {
  options: Partial<LintOptions>;
  /** The file matches an `exclude` pattern: not linted at all. */
  excluded: boolean;
  /** The project file that applied, if any. */
  configPath: string | undefined;
  /** What is wrong with that project file; when not empty, its settings are ignored. */
  problems: string[];
}

interface ParsedFile {
  stamp: string;
  config: ProjectConfig | undefined;
  problems: string[];
}

/**
 * Finds and reads the `lockguard.json` that governs a file (the nearest one in its directory or
 * above), re-reading it whenever it changes on disk, and merges editor overrides on top:
 * built-in defaults < lockguard.json < editor settings / command-line flags. Within lockguard.json, a
 * rule's own `rules` setting wins over its category's.
 */
export class ConfigResolver {
  private readonly configPathByDirectory = new Map<string, string | undefined>();
  private readonly parsed = new Map<string, ParsedFile>();

  constructor(
    private readonly knownRules: readonly string[],
    private overrides: EditorOverrides = {},
  ) {}

  setOverrides(overrides: EditorOverrides): void {
    this.overrides = overrides;
  }

  /** Forget where project files are, e.g. after one was created or deleted. */
  invalidate(): void {
    this.configPathByDirectory.clear();
  }

  forFile(filePath: string): FileSettings {
    const directory = dirname(filePath);
    const configPath = this.findConfig(directory);
    const file = configPath ? this.read(configPath) : undefined;
    const config = file?.config ?? {};
    const overrides = this.overrides;
    const options: Partial<LintOptions> = {
      pgVersion: overrides.pgVersion ?? config.pgVersion,
      transactionMode: overrides.transactionMode ?? config.transactionMode,
      rules: { ...categorySettings(config.categories), ...config.rules, ...overrides.rules },
      generatedMigrations: overrides.generatedMigrations ?? config.generatedMigrations,
      filePath,
      readSibling: (name) => readOrUndefined(join(directory, name)),
      listSiblings: (folder = '.') => namesIn(join(directory, folder)),
    };
    for (const key of Object.keys(options) as (keyof LintOptions)[]) if (options[key] === undefined) delete options[key];
    return { options, excluded: this.matchesExclude(filePath, configPath, config), configPath, problems: file?.problems ?? [] };
  }

  /**
   * Whether a file, or a directory whose contents need not be searched, is excluded by the governing
   * project file or the editor's patterns.
   */
  isExcluded(path: string): boolean {
    const configPath = this.findConfig(dirname(path));
    return this.matchesExclude(path, configPath, (configPath && this.read(configPath).config) || {});
  }

  private matchesExclude(path: string, configPath: string | undefined, config: ProjectConfig): boolean {
    const base = configPath ? dirname(configPath) : dirname(path);
    const patterns = [
      ...(config.exclude ?? []).map(globToRegExp),
      ...(this.overrides.exclude ?? []).map((pattern) => globToRegExp(pattern.startsWith('**/') ? pattern : `**/${pattern.replace(/^\.?\//, '')}`)),
    ];
    return patterns.length > 0 && matchesAny(relative(base, path).split(sep).join('/'), patterns);
  }

  /** A document with no file on disk yet: only the editor's settings apply. */
  forUnsavedFile(): FileSettings {
    const { pgVersion, transactionMode, rules, generatedMigrations } = this.overrides;
    const options: Partial<LintOptions> = { rules: { ...rules } };
    if (generatedMigrations !== undefined) options.generatedMigrations = generatedMigrations;
    if (pgVersion !== undefined) options.pgVersion = pgVersion;
    if (transactionMode !== undefined) options.transactionMode = transactionMode;
    return { options, excluded: false, configPath: undefined, problems: [] };
  }

  private findConfig(directory: string): string | undefined {
    if (this.configPathByDirectory.has(directory)) return this.configPathByDirectory.get(directory);
    const candidate = join(directory, CONFIG_FILE_NAME);
    const parent = dirname(directory);
    const found = isFile(candidate) ? candidate : parent === directory ? undefined : this.findConfig(parent);
    this.configPathByDirectory.set(directory, found);
    return found;
  }

  /** Parses the file again only when its size or modification time changed. */
  private read(path: string): ParsedFile {
    const stamp = stampOf(path);
    const cached = this.parsed.get(path);
    if (cached && cached.stamp === stamp) return cached;
    const text = readOrUndefined(path);
    const result = text === undefined ? undefined : parseProjectConfig(text, this.knownRules);
    const parsed: ParsedFile = {
      stamp,
      config: result?.ok ? result.config : undefined,
      problems: result === undefined ? [`${path} could not be read`] : result.ok ? [] : result.problems.map((problem) => `${path}: ${problem}`),
    };
    this.parsed.set(path, parsed);
    return parsed;
  }
}

/** lockguard.json's `categories` as one setting per rule of each category named. */
function categorySettings(categories: ProjectConfig['categories']): Record<string, RuleSetting> {
  if (!categories) return {};
  const settings: Record<string, RuleSetting> = {};
  for (const rule of ALL_RULES) {
    const setting = categories[rule.category];
    if (setting !== undefined) settings[rule.id] = setting;
  }
  return settings;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function stampOf(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}`;
  } catch {
    return 'missing';
  }
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function namesIn(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}
