import { NotificationType, RequestType } from 'vscode-languageserver';
import {
  LOCKGUARD_METHODS,
  type AnalysisStateParams,
  type CheckMigrationParams,
  type CheckMigrationResult,
} from '../../../shared/protocol';

// The server's message objects for the messages declared in shared/protocol.ts (made here, with the
// server's vscode-jsonrpc: see there why).
export const analysisStateNotification = new NotificationType<AnalysisStateParams>(LOCKGUARD_METHODS.analysisState);
export const checkMigrationRequest = new RequestType<CheckMigrationParams, CheckMigrationResult, void>(LOCKGUARD_METHODS.checkMigration);
