import { fileURLToPath } from 'node:url';
import { ALL_RULES, ConfigResolver, diskFiles, Linter, PostgresParser, PriorSchemas, type FileSettings, type LintOptions } from '../engine';
import { DEFAULT_SETTINGS, type ServerSettings } from './settings';

/**
 * What an analysis reads besides the document: the linter, the editor's settings over each file's
 * lockguard.json, and what the earlier migrations of the file's folder declare. The last two follow
 * the files on disk: read once, read again only when files change.
 */
export class Workspace {
  private readonly linterReady: Promise<Linter>;
  private readonly resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id));
  private priorSchemas: PriorSchemas | undefined;
  private readonly priorSchemasReady: Promise<unknown>;
  private current: ServerSettings = DEFAULT_SETTINGS;

  constructor(logError: (message: string) => void) {
    // A broken rule shows on its statements as an internal error; its stack goes to the log once.
    this.linterReady = Linter.create(ALL_RULES, {
      onRuleFailure: ({ ruleId, statementText, error }) =>
        logError(
          `Lockguard's rule ${ruleId} failed (logged once per rule and error) on: ${statementText.slice(0, 300)}\n${error instanceof Error ? error.stack : String(error)}`,
        ),
    });
    this.priorSchemasReady = PostgresParser.load().then((parser) => (this.priorSchemas = new PriorSchemas(parser, diskFiles)));
  }

  get settings(): ServerSettings {
    return this.current;
  }

  applySettings(next: ServerSettings): void {
    this.current = next;
    this.resolver.setOverrides(next.overrides);
  }

  /** The linter, once it and the reader of earlier migrations are loaded. */
  async ready(): Promise<Linter> {
    const linter = await this.linterReady;
    await this.priorSchemasReady;
    return linter;
  }

  /** Settings for a document: its lockguard.json and the editor's overrides; unsaved documents get the overrides only. */
  settingsFor(uri: string): FileSettings {
    const path = uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
    return path ? this.resolver.forFile(path) : this.resolver.forUnsavedFile();
  }

  /** The schema the folder's earlier migrations build up before `filePath` (call after `ready`). */
  priorSchemaBefore(filePath: string): LintOptions['priorSchema'] {
    return this.priorSchemas?.before(filePath);
  }

  /** lockguard.json files, migrations or plans changed on disk: read them again when next asked. */
  async filesChanged(): Promise<void> {
    this.resolver.invalidate();
    await this.priorSchemasReady;
    this.priorSchemas?.forget();
  }
}
