import type { Connection } from 'vscode-languageserver';
import { AnalysisScheduler } from './analysis-scheduler';
import { registerCodeActions } from './code-action-handler';
import { ConfigProblemsPublisher } from './config-problems';
import { DiagnosticsPublisher } from './diagnostics-publisher';
import { DocumentAnalyser } from './document-analysis';
import { DocumentStore } from './document-store';
import { boundHeapGrowth } from './heap';
import { registerHover } from './hover-handler';
import { Lifecycle } from './lifecycle';
import { registerStagingCheck } from './staging-check';
import { StagingResults } from './staging-results';
import { Workspace } from './workspace';

/**
 * The language server only translates between LSP and the engine: documents in, diagnostics,
 * code actions and hovers out. All analysis lives in the engine. This wires the parts together:
 * the open documents, the workspace an analysis reads, the scheduler that runs analyses, the
 * publishers that push their results, and the handlers of the editor's requests.
 */
export function startLanguageServer(connection: Connection): void {
  boundHeapGrowth();
  const logError = (message: string) => connection.console.error(message);
  const store = new DocumentStore();
  const stagingResults = new StagingResults();
  const workspace = new Workspace(logError);
  const diagnostics = new DiagnosticsPublisher(connection);
  const scheduler = new AnalysisScheduler(
    store,
    workspace,
    new DocumentAnalyser(workspace, stagingResults, logError),
    diagnostics,
    new ConfigProblemsPublisher(connection),
  );
  const lifecycle = new Lifecycle(connection, workspace, scheduler);
  lifecycle.register();

  store.documents.onDidOpen(({ document }) => scheduler.opened(document));
  store.documents.onDidChangeContent(({ document }) => scheduler.changed(document));
  store.documents.onDidClose(({ document }) => {
    scheduler.closed(document.uri);
    store.setAnalysis(document.uri, undefined);
    stagingResults.forget(document.uri);
    diagnostics.closed(document.uri);
  });

  registerCodeActions(connection, store, scheduler, stagingResults, () => lifecycle.client.canCreateFiles);
  registerHover(connection, scheduler);
  registerStagingCheck(connection, store, stagingResults, (uri) => scheduler.reanalyse(uri));

  store.listen(connection);
  connection.listen();
}
