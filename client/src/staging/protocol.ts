import { RequestType } from 'vscode-languageclient/node';
// Type-only import: the server owns the protocol; esbuild erases this, so no server code is bundled.
import type { CheckMigrationParams, CheckMigrationResult } from '../../../server/src/lsp/staging-protocol';

export type { CheckMigrationParams, CheckMigrationResult };

/** Runs the staging check in the language server, with progress and cancellation (see the server's staging-protocol.ts). */
export const checkMigrationRequest = new RequestType<CheckMigrationParams, CheckMigrationResult, void>('lockguard/checkMigration');
