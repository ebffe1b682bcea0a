import * as vscode from 'vscode';
import type { AnalysisStateParams } from '../../shared/protocol';
import { isLockguardDocument } from './lockguard-documents';
import { presentStatus, type DocumentAnalysisState, type ServerState } from './status-presentation';

/** The status bar item for the active SQL editor: server health, then the analysis state of that document. */
export class AnalysisStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly analyses = new Map<string, DocumentAnalysisState>();
  private server: ServerState = { kind: 'starting' };
  private readonly subscriptions: vscode.Disposable[];

  constructor(clickCommand: string) {
    this.item = vscode.window.createStatusBarItem('lockguard.status', vscode.StatusBarAlignment.Left, 0);
    this.item.name = 'Lockguard';
    this.item.command = clickCommand;
    this.subscriptions = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((document) => this.analyses.delete(document.uri.toString())),
      vscode.workspace.onDidChangeConfiguration((change) => {
        if (change.affectsConfiguration('lockguard.enable')) this.render();
      }),
    ];
    this.render();
  }

  showServerState(state: ServerState): void {
    this.server = state;
    // Reports from a previous server process are stale; a (re)started server re-analyses open documents.
    if (state.kind !== 'running') this.analyses.clear();
    this.render();
  }

  showAnalysisState({ uri, state, errors, warnings, infos }: AnalysisStateParams): void {
    // Normalise the server's URI string the way VS Code prints document URIs, so the lookups agree.
    this.analyses.set(vscode.Uri.parse(uri).toString(), { state, errors, warnings, infos });
    this.render();
  }

  private render(): void {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !isLockguardDocument(document)) {
      this.item.hide();
      return;
    }
    const enabled = vscode.workspace.getConfiguration('lockguard').get<boolean>('enable', true);
    const presentation = presentStatus({ server: this.server, enabled, analysis: this.analyses.get(document.uri.toString()) });
    this.item.text = presentation.text;
    this.item.tooltip = presentation.tooltip;
    this.item.backgroundColor = presentation.isError ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
