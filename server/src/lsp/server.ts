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
import { ALL_RULES, CONFIG_FILE_NAME, ConfigResolver, diskFiles, FixVerifier, LineIndex, Linter, PostgresParser, PriorSchemas, type Analysis, type FileSettings, type Finding } from '../engine';
import { FIX_ALL_KIND, fixAll, quickFixes } from './code-actions';
import { executionMarkdown, hoverMarkdown, toDiagnostic } from './convert';
import { Debouncer, QUIET_PERIOD_MS } from './debouncer';
import { withFolderReadOnce } from './folder-reads';
import { boundHeapGrowth } from './heap';
import { analysisStateNotification } from './protocol';
import { DEFAULT_SETTINGS, readSettings, type ServerSettings } from './settings';
import { registerStagingCheck } from './staging-check';
import { StagingResults } from './staging-results';

/**
 * Larger documents are not analysed as you type (a migration is rarely over a few hundred KB; a data
 * dump is not a migration): `lockguard lint` still checks them.
 */
const MAX_ANALYSED_LENGTH = 2 * 1024 * 1024;

interface DocumentAnalysis {
  version: number;
  lines: LineIndex;
  analysis: Analysis;
  diagnostics: Diagnostic[];
  /** Tries the findings' fixes when a code action asks for them (absent when nothing was analysed). */
  fixes?: FixVerifier;
}

/**
 * The language server only translates between LSP and the engine: documents in, diagnostics,
 * code actions and hovers out. All analysis lives in the engine.
 */
export function startLanguageServer(connection: Connection): void {
  boundHeapGrowth();
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, DocumentAnalysis>();
  const debouncer = new Debouncer(QUIET_PERIOD_MS);
  const stagingResults = new StagingResults();
  // A broken rule shows on its statements as an internal error; its stack goes to the log once.
  const linterReady = Linter.create(ALL_RULES, {
    onRuleFailure: ({ ruleId, statementText, error }) =>
      connection.console.error(`Lockguard's rule ${ruleId} failed (logged once per rule and error) on: ${statementText.slice(0, 300)}\n${error instanceof Error ? error.stack : String(error)}`),
  });
  const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id));
  // What the earlier migrations of each file's folder declare: read once, replayed again only where files change on disk.
  let priorSchemas: PriorSchemas | undefined;
  const priorSchemasReady = PostgresParser.load().then((parser) => (priorSchemas = new PriorSchemas(parser, diskFiles)));
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let canPullConfiguration = false;
  let canWatchFiles = false;
  let canCreateFiles = false;

  connection.onInitialize((params: InitializeParams) => {
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canWatchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const workspaceEdit = params.capabilities.workspace?.workspaceEdit;
    canCreateFiles = workspaceEdit?.documentChanges === true && (workspaceEdit.resourceOperations ?? []).includes('create');
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
    if (canWatchFiles) await connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: '**/*.sql' }, { globPattern: '**/sqitch.plan' }] });
  });

  connection.onDidChangeConfiguration(async (change) => {
    applySettings(canPullConfiguration ? await pullSettings() : readSettings((change.settings as { lockguard?: unknown } | null)?.lockguard, settings));
    reanalyseAll();
  });

  connection.onDidChangeWatchedFiles(async () => {
    resolver.invalidate();
    await priorSchemasReady;
    priorSchemas?.forget();
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
    debouncer.schedule(document.uri, () => void analyse(document));
  });
  documents.onDidClose(({ document }) => {
    debouncer.cancel(document.uri);
    startedVersions.delete(document.uri);
    analyses.delete(document.uri);
    stagingResults.forget(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  async function analyse(document: TextDocument): Promise<void> {
    const version = document.version;
    const uri = document.uri;
    startedVersions.set(uri, version);
    void connection.sendNotification(analysisStateNotification, { uri, state: 'analysing', errors: 0, warnings: 0, infos: 0 });
    const linter = await linterReady;
    await priorSchemasReady;
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
    if (text.length > MAX_ANALYSED_LENGTH) return tooLargeToAnalyse(document, lines);
    try {
      // The previous analysis of this document: only what the edit changed is analysed again.
      const { filePath } = fileSettings.options;
      const options = { ...withFolderReadOnce(fileSettings.options), priorSchema: filePath === undefined ? undefined : priorSchemas?.before(filePath) };
      const analysis = linter.lintIncrementally(text, options, analyses.get(document.uri)?.analysis);
      const diagnostics = analysis.findings.map((finding) => stagingResults.enrich(document.uri, finding, analysis.statements, toDiagnostic(finding, lines, document.uri)));
      return { version: document.version, lines, analysis, diagnostics, fixes: new FixVerifier(linter, text, options, analysis) };
    } catch (error) {
      // Never crash the server on one file: say what happened where the user looks.
      connection.console.error(`Lockguard could not analyse ${document.uri}: ${error instanceof Error ? error.stack : String(error)}`);
      const failure: Diagnostic = {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 2,
        source: 'lockguard',
        message: 'Lockguard could not analyse this file because of an internal error (details in the Lockguard output). Please report it.',
      };
      return { version: document.version, lines, analysis: { statements: [], migration: undefined, findings: [] }, diagnostics: [failure] };
    }
  }

  function tooLargeToAnalyse(document: TextDocument, lines: LineIndex): DocumentAnalysis {
    const notice: Diagnostic = {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 3,
      source: 'lockguard',
      message: `This file is ${(document.getText().length / 1024 / 1024).toFixed(1)} MB: Lockguard checks files up to ${MAX_ANALYSED_LENGTH / 1024 / 1024} MB as you type. Run \`lockguard lint\` on it to check it.`,
    };
    return { version: document.version, lines, analysis: { statements: [], migration: undefined, findings: [] }, diagnostics: [notice] };
  }

  /** The analysis of the document's current text, computed now if the debounced one has not run yet. */
  async function currentAnalysis(uri: string): Promise<DocumentAnalysis | undefined> {
    const document = documents.get(uri);
    if (!document || !settings.enable) return undefined;
    if (analyses.get(uri)?.version !== document.version) {
      // Run the pending analysis now, and publish it, rather than analysing this version twice.
      debouncer.cancel(uri);
      await analyse(document);
    }
    const known = analyses.get(uri);
    return known?.version === document.version ? known : undefined;
  }

  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    const state = await currentAnalysis(params.textDocument.uri);
    if (!state) return [];
    const verifier = state.fixes;
    const document = {
      uri: params.textDocument.uri,
      lines: state.lines,
      findings: state.analysis.findings,
      diagnostics: state.diagnostics,
      verified: (finding: Finding) => verifier?.finding(finding) ?? finding,
      canCreateFiles,
    };
    const requested = (kind: string) => params.context.only?.some((only) => kind === only || kind.startsWith(`${only}.`)) ?? false;
    const actions: CodeAction[] = [];
    // Quick fixes when nothing in particular is asked (the light bulb); "fix all" only on request (e.g. on save).
    if (!params.context.only || requested(CodeActionKind.QuickFix)) {
      actions.push(...quickFixes(document, { start: state.lines.offsetAt(params.range.start), end: state.lines.offsetAt(params.range.end) }));
      const checklist = stagingResults.checklistAction(params.textDocument.uri, documents.get(params.textDocument.uri)!.getText(), state.lines);
      if (checklist) actions.push(checklist);
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
    const statement = state.analysis.statements.find((candidate) => offset >= candidate.range.start && offset <= candidate.range.end);
    const execution = statement && state.analysis.migration ? executionMarkdown(state.analysis.migration, statement, state.analysis.statements, state.lines) : undefined;
    if (onStatement.length === 0 && !execution) return null;
    return { contents: { kind: 'markdown', value: [...onStatement.map(hoverMarkdown), ...(execution ? [execution] : [])].join('\n\n---\n\n') } };
  });

  registerStagingCheck(connection, documents, stagingResults, (uri) => {
    const document = documents.get(uri);
    if (document) void analyse(document);
  });

  documents.listen(connection);
  connection.listen();
}
