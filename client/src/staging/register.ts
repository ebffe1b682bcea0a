import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { lockguardDocumentSelector } from '../lockguard-documents';
import { CHECK_MIGRATION_COMMAND, runCheckCommand, type CheckCommandOptions } from './check-command';
import { readCheckSettings } from './check-settings';
import { CheckCodeLensProvider } from './code-lens';
import { PasswordStore } from './password-store';
import { ReportView } from './report-view';

export const FORGET_PASSWORD_COMMAND = 'lockguard.forgetStagingPassword';

/** "Check migration against staging": its commands, CodeLens and report view. */
export function registerStagingCheck(context: vscode.ExtensionContext, client: () => LanguageClient | undefined): void {
  const passwords = new PasswordStore(context.secrets);
  const reportView = new ReportView();
  const codeLenses = new CheckCodeLensProvider();
  context.subscriptions.push(
    reportView,
    codeLenses,
    vscode.languages.registerCodeLensProvider(lockguardDocumentSelector, codeLenses),
    // The explorer's context menu passes the selected URIs as the second argument, not options.
    vscode.commands.registerCommand(CHECK_MIGRATION_COMMAND, (uri?: unknown, options?: unknown) =>
      runCheckCommand({ client, passwords, reportView }, uri, typeof options === 'object' && options !== null && !Array.isArray(options) ? (options as CheckCommandOptions) : {}),
    ),
    vscode.commands.registerCommand(FORGET_PASSWORD_COMMAND, () => forgetPasswords(passwords)),
  );
}

/** Forgets the stored passwords of the configured staging and production databases. */
async function forgetPasswords(passwords: PasswordStore): Promise<void> {
  const settings = readCheckSettings(vscode.window.activeTextEditor?.document.uri, undefined);
  const databases = [settings.staging, settings.production?.kind === 'connection' ? settings.production.url : undefined].filter((database) => database !== undefined);
  if (databases.length === 0) {
    void vscode.window.showInformationMessage('Lockguard: no staging or production database is configured (lockguard.staging.url, lockguard.production.url), so there is no password to forget.');
    return;
  }
  for (const database of databases) await passwords.forget(database);
  void vscode.window.showInformationMessage(`Lockguard forgot the stored password for ${databases.map((database) => database.label).join(' and ')}. The next check asks for it again.`);
}
