import { fileURLToPath } from 'node:url';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver';
import {
  checkMigration,
  describeProgress,
  fillChecklist,
  findChecklistBlock,
  LineIndex,
  redactSecrets,
  renderReport,
  type CheckRequest,
} from '../engine';
import type { CheckMigrationParams, CheckMigrationResult } from '../../../shared/protocol';
import type { DocumentStore } from './document-store';
import { checkMigrationRequest } from './protocol';
import type { StagingResults } from './staging-results';

/**
 * Serves `lockguard/checkMigration`: translates the request into the engine's, forwards progress and
 * cancellation, keeps the report for the document's diagnostics and returns it. The engine does the work.
 */
export function registerStagingCheck(
  connection: Connection,
  documents: DocumentStore,
  results: StagingResults,
  republish: (uri: string) => void,
): void {
  connection.onRequest(checkMigrationRequest, async (params, token): Promise<CheckMigrationResult> => {
    const document = documents.get(params.textDocument.uri);
    if (!document)
      throw new ResponseError(
        ErrorCodes.InvalidParams,
        `Lockguard cannot check ${params.textDocument.uri}: the document is not open in the editor.`,
      );
    const text = document.getText();
    const progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
    progress.begin('Lockguard: checking the migration', 0, 'Starting', true);
    const abort = new AbortController();
    const cancelled = token.onCancellationRequested(() => abort.abort());
    try {
      const result = await checkMigration(engineRequest(params, document.uri, text), {
        signal: abort.signal,
        onProgress: (step) => {
          const { message, percentage } = describeProgress(step);
          if (percentage === undefined) progress.report(message);
          else progress.report(percentage, message);
        },
      });
      if (result.kind === 'problem') return result;
      // A document closed during the check has no diagnostics left to enrich.
      if (documents.get(document.uri)) {
        results.set(document.uri, result.report);
        republish(document.uri);
      }
      const block = findChecklistBlock(text);
      const checklist = fillChecklist(result.report, block && text.slice(block.start, block.end));
      return { kind: 'report', report: result.report, checklist, page: renderReport({ report: result.report, checklist }) };
    } catch (error) {
      // The engine has rolled back; the log gets the details, never a password.
      const secrets = [params.staging?.password, params.production?.kind === 'connection' ? params.production.password : undefined];
      connection.console.error(
        redactSecrets(
          `Lockguard's staging check of ${document.uri} failed: ${error instanceof Error ? error.stack : String(error)}`,
          secrets,
        ),
      );
      throw new ResponseError(
        ErrorCodes.InternalError,
        'The staging check failed because of an internal error (details in the Lockguard output); its transaction was rolled back. Please report it.',
      );
    } finally {
      cancelled.dispose();
      progress.done();
    }
  });
}

function engineRequest(params: CheckMigrationParams, uri: string, text: string): CheckRequest {
  const lines = new LineIndex(text);
  return {
    file: uri.startsWith('file:') ? fileURLToPath(uri) : uri,
    text,
    selection: params.range && { start: lines.offsetAt(params.range.start), end: lines.offsetAt(params.range.end) },
    staging: params.staging,
    production: params.production,
    lockTimeoutMs: params.lockTimeoutMs,
    statementTimeoutMs: params.statementTimeoutMs,
    connectTimeoutMs: params.connectTimeoutMs,
  };
}
