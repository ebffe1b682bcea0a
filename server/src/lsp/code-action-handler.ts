import { CodeActionKind, type CodeAction, type CodeActionParams, type Connection } from 'vscode-languageserver';
import type { Finding } from '../engine';
import type { AnalysisScheduler } from './analysis-scheduler';
import { FIX_ALL_KIND, fixAll, quickFixes, type AnalysedDocument } from './code-actions';
import type { DocumentStore } from './document-store';
import type { StagingResults } from './staging-results';

/**
 * Serves textDocument/codeAction on the document's current analysis: the quick fixes and "ignore
 * here" under the cursor, the staging checklist, and "fix all" when asked for.
 */
export function registerCodeActions(
  connection: Connection,
  store: DocumentStore,
  scheduler: AnalysisScheduler,
  stagingResults: StagingResults,
  canCreateFiles: () => boolean,
): void {
  connection.onCodeAction(async (params: CodeActionParams): Promise<CodeAction[]> => {
    const { uri } = params.textDocument;
    const state = await scheduler.current(uri);
    if (!state) return [];
    const verifier = state.fixes;
    const document: AnalysedDocument = {
      uri,
      lines: state.lines,
      findings: state.analysis.findings,
      diagnostics: state.diagnostics,
      verified: (finding: Finding) => verifier?.finding(finding) ?? finding,
      canCreateFiles: canCreateFiles(),
    };
    const requested = (kind: string) => params.context.only?.some((only) => kind === only || kind.startsWith(`${only}.`)) ?? false;
    const actions: CodeAction[] = [];
    // Quick fixes when nothing in particular is asked (the light bulb); "fix all" only on request (e.g. on save).
    if (!params.context.only || requested(CodeActionKind.QuickFix)) {
      actions.push(
        ...quickFixes(document, { start: state.lines.offsetAt(params.range.start), end: state.lines.offsetAt(params.range.end) }),
      );
      const checklist = stagingResults.checklistAction(uri, store.get(uri)!.getText(), state.lines);
      if (checklist) actions.push(checklist);
    }
    if (requested(FIX_ALL_KIND)) {
      const all = fixAll(document);
      if (all) actions.push(all);
    }
    return actions;
  });
}
