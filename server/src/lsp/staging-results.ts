import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import {
  describeMeasuredOn,
  fillChecklist,
  findChecklistBlock,
  measuredFacts,
  measuredFor,
  type CheckReport,
  type Finding,
  type LineIndex,
  type Statement,
} from '../engine';
import { toRange } from './convert';

/** A quick fix sub-kind: offered with the light bulb and Ctrl+., like the rule fixes, without a new capability. */
export const FILL_CHECKLIST_KIND = `${CodeActionKind.QuickFix}.lockguard.checklist`;

/**
 * The latest staging check per document. Findings gain its measured facts while their statement's text
 * is the one that was checked: edits elsewhere keep them, editing the statement drops them.
 */
export class StagingResults {
  private readonly reports = new Map<string, CheckReport>();

  set(uri: string, report: CheckReport): void {
    this.reports.set(uri, report);
  }

  forget(uri: string): void {
    this.reports.delete(uri);
  }

  /** The diagnostic of `finding` with what the check measured for its statement appended. */
  enrich(uri: string, finding: Finding, statements: readonly Statement[], diagnostic: Diagnostic): Diagnostic {
    // Asked for every diagnostic of every analysis: nothing to do for a file never checked.
    const report = this.reports.get(uri);
    const statement = statements[finding.statementIndex];
    const measured = report && statement && measuredFor(report, statement.text);
    if (!measured) return diagnostic;
    return { ...diagnostic, message: `${diagnostic.message}\n${describeMeasuredOn(report)}: ${measuredFacts(measured)}` };
  }

  /** "Write measured values into the checklist": fills the file's checklist block, or adds one at the top. */
  checklistAction(uri: string, text: string, lines: LineIndex): CodeAction | undefined {
    const report = this.reports.get(uri);
    if (!report) return undefined;
    const block = findChecklistBlock(text);
    const filled = fillChecklist(report, block && text.slice(block.start, block.end));
    const range = block ?? { start: 0, end: 0 };
    return {
      title: block ? 'Write measured values into the checklist' : 'Add the migration checklist with the measured values',
      kind: FILL_CHECKLIST_KIND,
      edit: { changes: { [uri]: [{ range: toRange(lines, range), newText: block ? filled : `${filled}\n\n` }] } },
    };
  }
}
