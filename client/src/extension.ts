import * as vscode from 'vscode';
import { LockguardLanguageServer } from './language-server';
import { registerStagingCheck } from './staging/register';
import { AnalysisStatusBar } from './status-bar';

const SHOW_OUTPUT_COMMAND = 'lockguard.showOutput';
const RESTART_SERVER_COMMAND = 'lockguard.restartServer';

let server: LockguardLanguageServer | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Lockguard', { log: true });
  const statusBar = new AnalysisStatusBar(SHOW_OUTPUT_COMMAND);
  const languageServer = new LockguardLanguageServer(context.asAbsolutePath('dist/server.js'), output, statusBar);
  server = languageServer;

  context.subscriptions.push(
    output,
    statusBar,
    vscode.commands.registerCommand(SHOW_OUTPUT_COMMAND, () => output.show(true)),
    vscode.commands.registerCommand(RESTART_SERVER_COMMAND, () => languageServer.restart()),
  );
  registerStagingCheck(context, () => languageServer.languageClient);

  // Not awaited: activation should not wait for the server; failures land in the status bar and output.
  void languageServer.start();
}

export function deactivate(): Promise<void> | undefined {
  const stopping = server?.stop();
  server = undefined;
  return stopping;
}
