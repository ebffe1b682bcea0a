import {
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
import type { Analysis } from '../engine/lint';
import { Linter } from '../engine/lint';
import { DEFAULT_PG_VERSION, SUPPORTED_PG_VERSIONS } from '../engine/options';
import { LineIndex } from '../engine/text/positions';
import { hoverMarkdown, toCodeAction, toDiagnostic } from './convert';
import { Debouncer } from './debouncer';
import { analysisStateNotification, type ServerSettings } from './protocol';

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
  let settings: ServerSettings = { enable: true, pgVersion: DEFAULT_PG_VERSION };
  let canPullConfiguration = false;

  connection.onInitialize((params: InitializeParams) => {
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    settings = readSettings(params.initializationOptions, settings);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
        hoverProvider: true,
      },
      serverInfo: { name: 'lockguard' },
    };
  });

  connection.onInitialized(async () => {
    if (canPullConfiguration) settings = await pullSettings();
  });

  connection.onDidChangeConfiguration(async (change) => {
    settings = canPullConfiguration ? await pullSettings() : readSettings((change.settings as { lockguard?: unknown } | null)?.lockguard, settings);
    for (const document of documents.all()) void analyse(document);
  });

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
    const result = settings.enable ? analyseNow(linter, document) : undefined;
    const diagnostics = result?.diagnostics ?? [];
    if (result) analyses.set(uri, result);
    else analyses.delete(uri);
    void connection.sendDiagnostics({ uri, version, diagnostics });
    const count = (severity: string) => result?.analysis.findings.filter((finding) => finding.severity === severity).length ?? 0;
    void connection.sendNotification(analysisStateNotification, { uri, state: 'done', errors: count('error'), warnings: count('warning'), infos: count('info') });
  }

  function analyseNow(linter: Linter, document: TextDocument): DocumentAnalysis {
    const text = document.getText();
    const lines = new LineIndex(text);
    try {
      const analysis = linter.lint(text, { pgVersion: settings.pgVersion });
      const diagnostics = analysis.findings.map((finding) => toDiagnostic(finding, lines));
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
    const fresh = analyseNow(await linterReady, document);
    analyses.set(uri, fresh);
    return fresh;
  }

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    const state = await currentAnalysis(params.textDocument.uri);
    if (!state) return [];
    const start = state.lines.offsetAt(params.range.start);
    const end = state.lines.offsetAt(params.range.end);
    const actions: CodeAction[] = [];
    state.analysis.findings.forEach((finding, index) => {
      if (finding.range.end < start || finding.range.start > end) return;
      const diagnostic = state.diagnostics[index]!;
      for (const fix of finding.fixes) actions.push(toCodeAction(fix, params.textDocument.uri, diagnostic, state.lines));
    });
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

/** Settings from the client, checked: a bad value falls back to the previous one instead of breaking analysis. */
function readSettings(raw: unknown, previous: ServerSettings): ServerSettings {
  if (typeof raw !== 'object' || raw === null) return previous;
  const { enable, pgVersion } = raw as Partial<Record<keyof ServerSettings, unknown>>;
  const validVersion = typeof pgVersion === 'number' && Number.isInteger(pgVersion) && pgVersion >= SUPPORTED_PG_VERSIONS.min && pgVersion <= SUPPORTED_PG_VERSIONS.max;
  return {
    enable: typeof enable === 'boolean' ? enable : previous.enable,
    pgVersion: validVersion ? pgVersion : previous.pgVersion,
  };
}
