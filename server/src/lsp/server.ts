import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type Hover,
  type HoverParams,
  type InitializeParams,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME } from '../engine/config/project-config';
import { ConfigResolver, type FileSettings } from '../engine/config/resolver';
import type { Analysis } from '../engine/lint';
import { Linter } from '../engine/lint';
import { ALL_RULES } from '../engine/rules/registry';
import { LineIndex } from '../engine/text/positions';
import { FIX_ALL_KIND, fixAll, quickFixes } from './code-actions';
import { hoverMarkdown, toDiagnostic } from './convert';
import { Debouncer } from './debouncer';
import { analysisStateNotification } from './protocol';
import { DEFAULT_SETTINGS, readSettings, type ServerSettings } from './settings';

/** Quiet period after a keystroke before re-analysing: long enough to skip intermediate states while typing. */
const CHANGE_DEBOUNCE_MS = 150;

interface DocumentAnalysis {
  version: number;
  lines: LineIndex;
  analysis: Analysis;
  diagnostics: Diagnostic[];
}

/**
 * The language server only translates between LSP and the engine: documents in, diagnostics,
 * code actions and hovers out. All analysis lives in the engine.
 */
export function startLanguageServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, DocumentAnalysis>();
  const debouncer = new Debouncer();
  const linterReady = Linter.create();
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id));
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let canPullConfiguration = false;
  let canWatchFiles = false;

  connection.onInitialize((params: InitializeParams) => {
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    applySettings(readSettings(params.initializationOptions, settings));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
      },
      serverInfo: { name: 'lockguard' },
    };
  });

  connection.onInitialized(async () => {
    if (canPullConfiguration) applySettings(await pullSettings());
    // Edits to lockguard.json must update open diagnostics, in every editor that can watch files for us.
    if (canWatchFiles) await connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }] });
  });

  connection.onDidChangeConfiguration(async (change) => {
    applySettings(canPullConfiguration ? await pullSettings() : readSettings((change.settings as { lockguard?: unknown } | null)?.lockguard, settings));
    reanalyseAll();
  });

  connection.onDidChangeWatchedFiles(() => {
    resolver.invalidate();
    reanalyseAll();
  });

  function applySettings(next: ServerSettings): void {
    settings = next;
    resolver.setOverrides(next.overrides);
  }

  function reanalyseAll(): void {
    for (const document of documents.all()) void analyse(document);
  }

  async function pullSettings(): Promise<ServerSettings> {
    try {
      return readSettings(await connection.workspace.getConfiguration('lockguard'), settings);
    } catch {
      return settings;
    }
  }

  /** The latest version whose analysis has started, per document. */
  const startedVersions = new Map<string, number>();

  documents.onDidOpen(({ document }) => void analyse(document));
  documents.onDidChangeContent(({ document }) => {
    // didOpen also fires a content change; analysis for that version is already under way.
    if (startedVersions.get(document.uri) === document.version) return;
    debouncer.schedule(document.uri, CHANGE_DEBOUNCE_MS, () => void analyse(document));
  });
  documents.onDidClose(({ document }) => {
    debouncer.cancel(document.uri);
    startedVersions.delete(document.uri);
    analyses.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  async function analyse(document: TextDocument): Promise<void> {
    const version = document.version;
    const uri = document.uri;
    startedVersions.set(uri, version);
    void connection.sendNotification(analysisStateNotification, { uri, state: 'analysing', errors: 0, warnings: 0, infos: 0 });
    const linter = await linterReady;
    // A newer version arrived while waiting: its own analysis will publish.
    if (documents.get(uri)?.version !== version) return;
    const fileSettings = settingsFor(uri);
    publishConfigProblems(fileSettings);
    const result = settings.enable && !fileSettings.excluded ? analyseNow(linter, document, fileSettings) : undefined;
    const diagnostics = result?.diagnostics ?? [];
    if (result) analyses.set(uri, result);
    else analyses.delete(uri);
    void connection.sendDiagnostics({ uri, version, diagnostics });
    const count = (severity: string) => result?.analysis.findings.filter((finding) => finding.severity === severity).length ?? 0;
    void connection.sendNotification(analysisStateNotification, { uri, state: 'done', errors: count('error'), warnings: count('warning'), infos: count('info') });
  }

  /** Settings for a document: its lockguard.json and the editor's overrides; unsaved documents get the overrides only. */
  function settingsFor(uri: string): FileSettings {
    const path = uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
    return path ? resolver.forFile(path) : resolver.forUnsavedFile();
  }

  /** A broken lockguard.json is shown on the file itself, where the user can fix it; its settings are not used meanwhile. */
  const configsWithProblems = new Set<string>();
  function publishConfigProblems({ configPath, problems }: FileSettings): void {
    if (!configPath) return;
    const uri = pathToFileURL(configPath).href;
    if (problems.length === 0 && !configsWithProblems.delete(uri)) return;
    if (problems.length > 0) configsWithProblems.add(uri);
    const diagnostics: Diagnostic[] = problems.map((problem) => ({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
      severity: 1,
      source: 'lockguard',
      message: `${problem}. Lockguard ignores this file until it is fixed.`,
    }));
    void connection.sendDiagnostics({ uri, diagnostics });
  }

  function analyseNow(linter: Linter, document: TextDocument, fileSettings: FileSettings): DocumentAnalysis {
    const text = document.getText();
    const lines = new LineIndex(text);
    try {
      const analysis = linter.lint(text, fileSettings.options);
      const diagnostics = analysis.findings.map((finding) => toDiagnostic(finding, lines, document.uri));
      return { version: document.version, lines, analysis, diagnostics };
    } catch (error) {
      // Never crash the server on one file: say what happened where the user looks.
      connection.console.error(`Lockguard could not analyse ${document.uri}: ${error instanceof Error ? error.stack : String(error)}`);
      const failure: Diagnostic = {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 2,
        source: 'lockguard',
        message: 'Lockguard could not analyse this file because of an internal error (details in the Lockguard output). Please report it.',
      };
      return { version: document.version, lines, analysis: { statements: [], findings: [] }, diagnostics: [failure] };
    }
  }

  /** The analysis of the document's current text, computed now if the debounced one has not run yet. */
  async function currentAnalysis(uri: string): Promise<DocumentAnalysis | undefined> {
    const document = documents.get(uri);
    if (!document || !settings.enable) return undefined;
    const known = analyses.get(uri);
    if (known?.version === document.version) return known;
    const fileSettings = settingsFor(uri);
    if (fileSettings.excluded) return undefined;
    const fresh = analyseNow(await linterReady, document, fileSettings);
    analyses.set(uri, fresh);
    return fresh;
  }

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    const state = await currentAnalysis(params.textDocument.uri);
    if (!state) return [];
    const document = { uri: params.textDocument.uri, lines: state.lines, findings: state.analysis.findings, diagnostics: state.diagnostics };
    const requested = (kind: string) => params.context.only?.some((only) => kind === only || kind.startsWith(`${only}.`)) ?? false;
    const actions: CodeAction[] = [];
    // Quick fixes when nothing in particular is asked (the light bulb); "fix all" only on request (e.g. on save).
    if (!params.context.only || requested(CodeActionKind.QuickFix)) {
      actions.push(...quickFixes(document, { start: state.lines.offsetAt(params.range.start), end: state.lines.offsetAt(params.range.end) }));
    }
    if (requested(FIX_ALL_KIND)) {
      const all = fixAll(document);
      if (all) actions.push(all);
    }
    return actions;
  });

  connection.onHover(async (params: HoverParams): Promise<Hover | null> => {
    const state = await currentAnalysis(params.textDocument.uri);
    if (!state) return null;
    const offset = state.lines.offsetAt(params.position);
    // Hovering anywhere on a flagged statement explains it, not only on the squiggle.
    const onStatement = state.analysis.findings.filter((finding) => {
      const statement = state.analysis.statements[finding.statementIndex];
      const range = statement ? { start: Math.min(statement.range.start, finding.range.start), end: Math.max(statement.range.end, finding.range.end) } : finding.range;
      return offset >= range.start && offset <= range.end;
    });
    if (onStatement.length === 0) return null;
    return { contents: { kind: 'markdown', value: onStatement.map(hoverMarkdown).join('\n\n---\n\n') } };
  });

  documents.listen(connection);
  connection.listen();
}
