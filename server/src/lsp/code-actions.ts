import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../engine/findings';
import type { Fix } from '../engine/rules/rule';
import type { LineIndex, OffsetRange } from '../engine/text/positions';
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
  const touching = document.findings.flatMap((finding, index) => (finding.range.end >= range.start && finding.range.start <= range.end ? [{ finding, diagnostic: document.diagnostics[index]! }] : []));
  const fixes = touching.flatMap(({ finding, diagnostic }) =>
    document.verified(finding).fixes.flatMap((fix) => toCodeAction(fix, document.uri, diagnostic, document.lines, document.canCreateFiles) ?? []),
  );
  const ignores = touching.flatMap(({ finding, diagnostic }) =>
    finding.suppression
      ? [
          toCodeAction(
            { title: `Ignore ${finding.ruleId} here (add a lockguard-ignore comment; write the reason after the colon)`, edits: [finding.suppression], preferred: false, autoApplicable: false },
            document.uri,
            diagnostic,
            document.lines,
          )!,
        ]
      : [],
  );
  return [...fixes, ...ignores];
}

/** One action applying every fix that is safe without review, skipping any that would overlap an earlier one. */
export function fixAll(document: AnalysedDocument): CodeAction | undefined {
  const chosen: Fix[] = [];
  const taken: OffsetRange[] = [];
  const candidates = document.findings.filter((finding) => finding.fixes.some((fix) => fix.autoApplicable)).map((finding) => document.verified(finding));
  for (const fix of candidates.flatMap((finding) => finding.fixes.filter((candidate) => candidate.autoApplicable && !candidate.createFiles?.length))) {
    if (fix.edits.some((edit) => taken.some((range) => edit.range.start <= range.end && range.start <= edit.range.end))) continue;
    chosen.push(fix);
    taken.push(...fix.edits.map((edit) => edit.range));
  }
  if (chosen.length === 0) return undefined;
  const edits = chosen.flatMap((fix) => fix.edits).map((edit) => ({ range: toRange(document.lines, edit.range), newText: edit.newText }));
  return { title: 'Apply all safe Lockguard fixes', kind: FIX_ALL_KIND, edit: { changes: { [document.uri]: edits } } };
}
