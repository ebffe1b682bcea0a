import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderReportPage, reportTitle, type ReportPage } from './report-html';

/** The report of the latest staging check, in one webview panel that each check reuses. */
export class ReportView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;

  show(page: ReportPage, { preserveFocus }: { preserveFocus: boolean }): void {
    if (!this.panel) {
      // No scripts and no local resources: the page is static HTML with an inline stylesheet.
      this.panel = vscode.window.createWebviewPanel('lockguard.stagingReport', reportTitle(page.report), { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, { enableScripts: false, localResourceRoots: [] });
      this.panel.onDidDispose(() => (this.panel = undefined));
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
    }
    this.panel.title = reportTitle(page.report);
    this.panel.webview.html = renderReportPage(page, { nonce: randomBytes(16).toString('base64') });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
