import * as vscode from 'vscode';
import { CHECK_MIGRATION_COMMAND } from './check-command';

/**
 * "Check against staging" (or "Check on embedded Postgres" without a staging URL) at the top of a SQL
 * migration. None in an untrusted workspace: the check would run the workspace's SQL on a database.
 */
export class CheckCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [
    this.changed,
    vscode.workspace.onDidChangeConfiguration((change) => {
      if (change.affectsConfiguration('lockguard.staging')) this.changed.fire();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()),
  ];

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const config = vscode.workspace.getConfiguration('lockguard', document.uri);
    if (!vscode.workspace.isTrusted || !config.get<boolean>('staging.codeLens', true) || document.lineCount === 0) return [];
    const hasStaging = Boolean(config.get<string>('staging.url')?.trim());
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title: hasStaging ? '$(beaker) Check against staging' : '$(beaker) Check on embedded Postgres',
        tooltip: hasStaging
          ? 'Run this migration on the staging database in a transaction that is rolled back: measure its locks, what they block and how long it takes.'
          : 'Run this migration on an embedded PostgreSQL built from the earlier migrations of this folder: its locks, rewrites and what they block (set lockguard.staging.url to measure run time).',
        command: CHECK_MIGRATION_COMMAND,
        arguments: [document.uri],
      }),
    ];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
