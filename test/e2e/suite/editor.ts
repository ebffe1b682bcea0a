import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const DIAGNOSTICS_TIMEOUT_MS = 20_000;

/** A file of the test workspace (a fresh copy of test/e2e/fixtures/workspace for every run). */
export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'The editor tests need a workspace folder: the runner opens a copy of test/e2e/fixtures/workspace.');
  return vscode.Uri.joinPath(folder.uri, relativePath);
}

export async function openMigration(relativePath: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relativePath));
  assert.equal(document.languageId, 'sql', `${relativePath} should open as SQL, the language Lockguard activates on`);
  return vscode.window.showTextDocument(document);
}

export function lockguardDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'lockguard');
}

/** The rule id: the server sends it as the code, with the rule's documentation page as its target. */
export function ruleOf(diagnostic: vscode.Diagnostic): string | undefined {
  const { code } = diagnostic;
  return typeof code === 'object' ? String(code.value) : code === undefined ? undefined : String(code);
}

/** Waits until Lockguard's diagnostics for `uri` satisfy `settled`; fails with the last ones seen. */
export async function waitForDiagnostics(uri: vscode.Uri, settled: (diagnostics: vscode.Diagnostic[]) => boolean, what: string): Promise<vscode.Diagnostic[]> {
  const current = () => lockguardDiagnostics(uri);
  if (settled(current())) return current();
  return new Promise((resolve, reject) => {
    const subscription = vscode.languages.onDidChangeDiagnostics(({ uris }) => {
      if (!uris.some((changed) => changed.toString() === uri.toString()) || !settled(current())) return;
      finish();
      resolve(current());
    });
    const timer = setTimeout(() => {
      finish();
      const seen = current().map((diagnostic) => `${ruleOf(diagnostic)} at ${describeRange(diagnostic.range)}`);
      reject(new Error(`Timed out after ${DIAGNOSTICS_TIMEOUT_MS / 1000} s waiting for ${what} in ${uri.path}; diagnostics: ${seen.join(', ') || 'none'}`));
    }, DIAGNOSTICS_TIMEOUT_MS);
    const finish = () => {
      clearTimeout(timer);
      subscription.dispose();
    };
  });
}

export function withRule(ruleId: string): (diagnostics: vscode.Diagnostic[]) => boolean {
  return (diagnostics) => diagnostics.some((diagnostic) => ruleOf(diagnostic) === ruleId);
}

export function withoutRule(ruleId: string): (diagnostics: vscode.Diagnostic[]) => boolean {
  return (diagnostics) => !diagnostics.some((diagnostic) => ruleOf(diagnostic) === ruleId);
}

export async function quickFixesAt(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
  const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
  // A plain Command has a string `command`; a CodeAction's `command` is optional and an object.
  return actions.filter((action): action is vscode.CodeAction => typeof action.command !== 'string');
}

/** Applies a code action as the lightbulb does: its edit, then its command. */
export async function applyCodeAction(action: vscode.CodeAction): Promise<void> {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `VS Code refused the edit of "${action.title}"`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}

export function describeRange(range: vscode.Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}
