import * as vscode from 'vscode';
import type { CheckMigrationResult } from '../../../shared/protocol';

/** The page the language server rendered for a report: its title and HTML. */
export type ReportPage = Extract<CheckMigrationResult, { kind: 'report' }>['page'];

/** The report of the latest staging check, in one webview panel that each check reuses. */
export class ReportView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  show(page: ReportPage, { preserveFocus }: { preserveFocus: boolean }): void {
    if (!this.panel) {
      // No scripts and no local resources: the page is static HTML with an inline, nonce-tagged stylesheet.
      this.panel = vscode.window.createWebviewPanel(
        'lockguard.stagingReport',
        page.title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
        { enableScripts: false, localResourceRoots: [] },
      );
      this.panel.onDidDispose(() => (this.panel = undefined));
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
    }
    this.panel.title = page.title;
    this.panel.webview.html = page.html;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
