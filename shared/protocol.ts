/**
 * Lockguard's own LSP messages, declared once for both ends: the language server (`server/src/lsp/`)
 * and the VS Code client (`client/src/`). Both bundles import this module, so it holds only method
 * names and message types; engine types are imported as types (erased by esbuild), never engine code.
 *
 * Each end makes its typed message objects from these names with its own library
 * (`server/src/lsp/protocol.ts`, `client/src/protocol.ts`): vscode-languageserver and
 * vscode-languageclient ship different vscode-jsonrpc copies, and a message object made by one copy
 * fails in the other (it checks the parameter structure by object identity).
 */
import type { Range, TextDocumentIdentifier, WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { CheckProblem, CheckReport, ProductionSizes, RenderedReport } from '../server/src/engine';

/** The method names of Lockguard's messages. */
export const LOCKGUARD_METHODS = {
  /** Notification, server to client: params `AnalysisStateParams`. */
  analysisState: 'lockguard/analysisState',
  /** Request, client to server: params `CheckMigrationParams`, result `CheckMigrationResult`. */
  checkMigration: 'lockguard/checkMigration',
} as const;

/** Sent after each analysis, so the client's status bar can show progress and counts. */
export interface AnalysisStateParams {
  uri: string;
  state: 'analysing' | 'done';
  errors: number;
  warnings: number;
  infos: number;
}

/**
 * `lockguard/checkMigration`: run "Check migration against staging" on an open document.
 * Progress ("statement n of N") goes to `workDoneToken`; `$/cancelRequest` cancels the backend and rolls
 * back, and the response is then the report so far with outcome `cancelled`.
 * Passwords travel only in these params, once per request; the server never logs or stores them.
 */
export interface CheckMigrationParams extends WorkDoneProgressParams {
  textDocument: TextDocumentIdentifier;
  /** Only the statements overlapping this range (the editor's selection); the whole document when absent. */
  range?: Range;
  /** A staging database (`url` without password; `sslmode` may be in its query); absent = the embedded database. */
  staging?: { url: string; password?: string };
  production?: ProductionSizes;
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export type CheckMigrationResult =
  | {
      kind: 'report';
      report: CheckReport;
      /** The document's checklist block filled in with the measured values. */
      checklist: string;
      /** The report as the page the client's report view shows (rendered by the server, from the engine's words). */
      page: RenderedReport;
    }
  | { kind: 'problem'; problem: CheckProblem };
