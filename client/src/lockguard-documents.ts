import * as vscode from 'vscode';

/**
 * The documents Lockguard analyses: SQL files on disk and unsaved SQL buffers, plus `.sql` files that
 * another extension gave a different language id (e.g. a PostgreSQL dialect extension).
 * Other schemes (git:, output:, diff views) are left alone: they are not migrations being edited.
 */
export const lockguardDocumentSelector = [
  { scheme: 'file', language: 'sql' },
  { scheme: 'untitled', language: 'sql' },
  { scheme: 'file', pattern: '**/*.sql' },
] satisfies vscode.DocumentFilter[];

export function isLockguardDocument(document: vscode.TextDocument): boolean {
  return vscode.languages.match(lockguardDocumentSelector, document) > 0;
}
