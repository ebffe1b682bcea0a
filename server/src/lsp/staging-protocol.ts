import { RequestType, type Range, type TextDocumentIdentifier, type WorkDoneProgressParams } from 'vscode-languageserver';
import type { CheckProblem, CheckReport, ProductionSizes } from '../engine/staging/report';

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
    }
  | { kind: 'problem'; problem: CheckProblem };

export const checkMigrationRequest = new RequestType<CheckMigrationParams, CheckMigrationResult, void>('lockguard/checkMigration');
