import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { chooseFixes, type Finding, type LineIndex, type OffsetRange } from '../engine';
import { toCodeAction, toRange } from './convert';

/** The kind editors run on save ("editor.codeActionsOnSave": { "source.fixAll.lockguard": "explicit" }). */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.lockguard`;

export interface AnalysedDocument {
  uri: string;
  lines: LineIndex;
  findings: readonly Finding[];
  diagnostics: readonly Diagnostic[];
  /** The finding with only the fixes that pass verification (the engine's FixVerifier, run when asked). */
  verified(finding: Finding): Finding;
  /** The client accepts WorkspaceEdits that create files (the new-migration fixes). */
  canCreateFiles: boolean;
}

/** Quick fixes for the findings touching `range`, then "ignore here" for each of them. */
export function quickFixes(document: AnalysedDocument, range: OffsetRange): CodeAction[] {
  const touching = document.findings.flatMap((finding, index) =>
    finding.range.end >= range.start && finding.range.start <= range.end ? [{ finding, diagnostic: document.diagnostics[index]! }] : [],
  );
  const fixes = touching.flatMap(({ finding, diagnostic }) =>
    document
      .verified(finding)
      .fixes.flatMap((fix) => toCodeAction(fix, document.uri, diagnostic, document.lines, document.canCreateFiles) ?? []),
  );
  const ignores = touching.flatMap(({ finding, diagnostic }) =>
    finding.suppression
      ? [
          toCodeAction(
            {
              title: `Ignore ${finding.ruleId} here (add a lockguard-ignore comment; write the reason after the colon)`,
              edits: [finding.suppression],
              preferred: false,
              autoApplicable: false,
            },
            document.uri,
            diagnostic,
            document.lines,
          )!,
        ]
      : [],
  );
  return [...fixes, ...ignores];
}

/**
 * One action applying every fix that is safe without review, as the engine chooses them (the same
 * policy as `lockguard lint --fix`). None that creates a file: the action edits this document only.
 */
export function fixAll(document: AnalysedDocument): CodeAction | undefined {
  const chosen = chooseFixes(document.findings, { policy: 'auto-applicable', verified: (finding) => document.verified(finding) }).map(
    ({ fix }) => fix,
  );
  if (chosen.length === 0) return undefined;
  const edits = chosen.flatMap((fix) => fix.edits).map((edit) => ({ range: toRange(document.lines, edit.range), newText: edit.newText }));
  return { title: 'Apply all safe Lockguard fixes', kind: FIX_ALL_KIND, edit: { changes: { [document.uri]: edits } } };
}
