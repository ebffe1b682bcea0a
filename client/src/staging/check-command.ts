import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { isLockguardDocument } from '../lockguard-documents';
import { readCheckSettings, type CheckSettings } from './check-settings';
import { withStoredPassword } from './password-retry';
import type { PasswordStore } from './password-store';
import type { CheckMigrationParams, CheckMigrationResult } from '../../../shared/protocol';
import { checkMigrationRequest } from '../protocol';
import type { ReportView } from './report-view';

export const CHECK_MIGRATION_COMMAND = 'lockguard.checkMigration';

/**
 * Arguments of `lockguard.checkMigration` beyond the file, for tests and other extensions:
 *   vscode.commands.executeCommand('lockguard.checkMigration', uri, { url, password, reveal: false })
 * `url` replaces `lockguard.staging.url` (no password in it; `password` gives one instead of the
 * stored one, and is never stored). `reveal: false` opens the report beside the editor without taking
 * focus and shows no message boxes: everything the user would see comes back in the result.
 */
export interface CheckCommandOptions {
  url?: string;
  password?: string;
  reveal?: boolean;
}

/**
 * What the command resolves to: the server's answer (the report and the filled checklist, or the problem
 * that stopped the check before it traced anything), or why it did not run at all. No password in it.
 */
export type CheckCommandResult = CheckMigrationResult | { kind: 'not-run'; message: string };

export interface CheckDependencies {
  client(): LanguageClient | undefined;
  passwords: PasswordStore;
  reportView: ReportView;
}

export async function runCheckCommand(deps: CheckDependencies, target: unknown, options: CheckCommandOptions = {}): Promise<CheckCommandResult> {
  const reveal = options.reveal !== false;
  const notRun = (message: string, ...actions: [title: string, run: () => unknown][]): CheckCommandResult => {
    // Not awaited: the command resolves now; the buttons act whenever the user picks one.
    if (reveal) void vscode.window.showErrorMessage(message, ...actions.map(([title]) => title)).then((choice) => actions.find(([title]) => title === choice)?.[1]());
    return { kind: 'not-run', message };
  };

  if (!vscode.workspace.isTrusted) {
    return notRun(
      'Lockguard does not check migrations in an untrusted workspace: the check runs the migration\'s SQL on a database, and this workspace\'s settings choose which one. Trust the workspace to check its migrations.',
      ['Manage Workspace Trust', () => vscode.commands.executeCommand('workbench.trust.manage')],
    );
  }
  const editor = vscode.window.activeTextEditor;
  const uri = target instanceof vscode.Uri ? target : editor?.document.uri;
  if (!uri) return notRun('Open a SQL migration to check it against staging.');
  const document = await vscode.workspace.openTextDocument(uri);
  if (!isLockguardDocument(document)) return notRun(`${vscode.workspace.asRelativePath(uri)} is not a SQL file: Lockguard checks SQL migrations.`);
  const client = deps.client();
  if (!client?.isRunning()) return notRun('The Lockguard language server is not running, so the check cannot run. Run "Lockguard: Restart Server" and try again.', ['Restart Server', () => vscode.commands.executeCommand('lockguard.restartServer')]);

  const settings = readCheckSettings(uri, options.url);
  if (settings.errors.length > 0) return notRun(settings.errors.join(' '), ['Open Settings', () => vscode.commands.executeCommand('workbench.action.openSettings', 'lockguard.staging')]);
  if (reveal) for (const warning of settings.warnings) void vscode.window.showWarningMessage(warning);
  if (!settings.staging && uri.scheme !== 'file') {
    return notRun('Save the migration in its migrations folder first: without a staging database (lockguard.staging.url), the check builds the schema from the earlier migrations next to the file.');
  }

  const selection = editor && editor.document.uri.toString() === uri.toString() && !editor.selection.isEmpty ? editor.selection : undefined;
  const params: Omit<CheckMigrationParams, 'staging'> = {
    textDocument: { uri: client.code2ProtocolConverter.asUri(uri) },
    range: selection && client.code2ProtocolConverter.asRange(selection),
    production: await productionSizes(settings, deps.passwords),
    ...settings.timeouts,
  };
  const title = settings.staging ? `Lockguard: checking ${vscode.workspace.asRelativePath(uri)} on ${settings.staging.label}` : `Lockguard: checking ${vscode.workspace.asRelativePath(uri)} on the embedded PostgreSQL`;
  let result: CheckMigrationResult;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const send = (password: string | undefined) => sendCheck(client, { ...params, staging: settings.staging && { url: settings.staging.url, password } }, progress, token);
      if (!settings.staging || options.password !== undefined) return send(options.password);
      return withStoredPassword(settings.staging, deps.passwords, send, reveal);
    });
  } catch (error) {
    // The server stopped or failed mid-check; the engine has rolled back (or the connection's end did).
    return notRun(`The check could not finish: ${error instanceof Error ? error.message : String(error)}. Details are in the Lockguard output.`, ['Show Output', () => vscode.commands.executeCommand('lockguard.showOutput')]);
  }

  if (result.kind === 'problem') {
    notRun(result.problem.message, ['Open Settings', () => vscode.commands.executeCommand('workbench.action.openSettings', 'lockguard.staging')]);
    return result;
  }
  deps.reportView.show(result.page, { preserveFocus: !reveal });
  const { outcome } = result.report;
  if (reveal && outcome.kind === 'cancelled') void vscode.window.showInformationMessage('Lockguard: check cancelled and rolled back; nothing was changed. The report shows what ran before the cancel.');
  return result;
}

async function productionSizes(settings: CheckSettings, passwords: PasswordStore): Promise<CheckMigrationParams['production']> {
  const production = settings.production;
  if (production?.kind !== 'connection') return production;
  return { kind: 'connection', url: production.url.url, password: await passwords.get(production.url) };
}

/** One request, its work-done progress shown as "statement n of N", and Cancel sent on as $/cancelRequest. */
async function sendCheck(
  client: LanguageClient,
  params: CheckMigrationParams,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<CheckMigrationResult> {
  const workDoneToken = randomUUID();
  let done = 0;
  const listening = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
    if (value.kind === 'end') return;
    const increment = value.percentage === undefined ? undefined : Math.max(0, value.percentage - done);
    if (value.percentage !== undefined) done = Math.max(done, value.percentage);
    progress.report({ message: value.message, increment });
  });
  try {
    return await client.sendRequest(checkMigrationRequest, { ...params, workDoneToken }, token);
  } finally {
    listening.dispose();
  }
}
