import { NotificationType } from 'vscode-languageclient/node';
// Type-only import: the server owns the protocol; esbuild erases this, so no server code is bundled.
import type { AnalysisStateParams } from '../../server/src/lsp/protocol';

export type { AnalysisStateParams };

/** Sent by the server when it starts and finishes analysing a document. */
export const analysisStateNotification = new NotificationType<AnalysisStateParams>('lockguard/analysisState');
