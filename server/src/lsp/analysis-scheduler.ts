import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigProblemsPublisher } from './config-problems';
import { Debouncer, QUIET_PERIOD_MS } from './debouncer';
import type { DocumentAnalyser, DocumentAnalysis } from './document-analysis';
import type { DocumentStore } from './document-store';
import type { DiagnosticsPublisher } from './diagnostics-publisher';
import type { Workspace } from './workspace';

/**
 * When each open document is analysed: at once when opened or when its settings or files on disk
 * change, after a quiet period while it is typed in, and right away when a request needs the current
 * version. Each analysis builds on the document's previous one and is published when it is the latest.
 */
export class AnalysisScheduler {
  private readonly debouncer = new Debouncer(QUIET_PERIOD_MS);
  /** The latest version whose analysis has started, per document. */
  private readonly startedVersions = new Map<string, number>();

  constructor(
    private readonly store: DocumentStore,
    private readonly workspace: Workspace,
    private readonly analyser: DocumentAnalyser,
    private readonly diagnostics: DiagnosticsPublisher,
    private readonly configProblems: ConfigProblemsPublisher,
  ) {}

  opened(document: TextDocument): void {
    void this.analyse(document);
  }

  changed(document: TextDocument): void {
    // didOpen also fires a content change; analysis for that version is already under way.
    if (this.startedVersions.get(document.uri) === document.version) return;
    this.debouncer.schedule(document.uri, () => void this.analyse(document));
  }

  closed(uri: string): void {
    this.debouncer.cancel(uri);
    this.startedVersions.delete(uri);
  }

  /** Analyses the document again now, if it is open (its staging results changed). */
  reanalyse(uri: string): void {
    const document = this.store.get(uri);
    if (document) void this.analyse(document);
  }

  /** Settings or files on disk changed: every open document may read differently. */
  reanalyseAll(): void {
    for (const document of this.store.all()) void this.analyse(document);
  }

  /** The analysis of the document's current text, computed now if the debounced one has not run yet. */
  async current(uri: string): Promise<DocumentAnalysis | undefined> {
    const document = this.store.get(uri);
    if (!document || !this.workspace.settings.enable) return undefined;
    if (this.store.latestAnalysis(uri)?.version !== document.version) {
      // Run the pending analysis now, and publish it, rather than analysing this version twice.
      this.debouncer.cancel(uri);
      await this.analyse(document);
    }
    const known = this.store.latestAnalysis(uri);
    return known?.version === document.version ? known : undefined;
  }

  private async analyse(document: TextDocument): Promise<void> {
    const version = document.version;
    const uri = document.uri;
    this.startedVersions.set(uri, version);
    this.diagnostics.analysing(uri);
    const linter = await this.workspace.ready();
    // A newer version arrived while waiting: its own analysis will publish.
    if (this.store.get(uri)?.version !== version) return;
    const fileSettings = this.workspace.settingsFor(uri);
    this.configProblems.publish(fileSettings);
    const result =
      this.workspace.settings.enable && !fileSettings.excluded
        ? this.analyser.analyse(linter, document, fileSettings, this.store.latestAnalysis(uri)?.analysis)
        : undefined;
    this.store.setAnalysis(uri, result);
    this.diagnostics.analysed(uri, version, result);
  }
}
