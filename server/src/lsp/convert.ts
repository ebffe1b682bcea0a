import { CodeActionKind, CreateFile, DiagnosticSeverity, TextDocumentEdit, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver';
import { describeExecution, displayRelation, ruleById, ruleDocsUrl, trafficImpact, uncheckedInDoBlock, type Finding, type Fix, type LineIndex, type MigrationModel, type OffsetRange, type Severity, type Statement } from '../engine';

const SEVERITY: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export const toRange = (lines: LineIndex, range: OffsetRange): Range => ({ start: lines.positionAt(range.start), end: lines.positionAt(range.end) });

export function toDiagnostic(finding: Finding, lines: LineIndex, uri: string): Diagnostic {
  return {
    range: toRange(lines, finding.range),
    severity: SEVERITY[finding.severity],
    source: 'lockguard',
    code: finding.ruleId,
    codeDescription: { href: ruleDocsUrl(finding.ruleId) },
    message: finding.noFixReason ? `${finding.message}\nNo quick fix: ${finding.noFixReason}` : finding.message,
    // Left out when empty: a big file's diagnostics are sent whole on every keystroke, and every byte costs time on both ends.
    ...(finding.related.length > 0 && { relatedInformation: finding.related.map((related) => ({ location: { uri, range: toRange(lines, related.range) }, message: related.message })) }),
  };
}

/**
 * The fix as a code action. One that creates files (a new migration) needs `documentChanges` with
 * CreateFile, which only clients that announce the `create` resource operation accept: without it
 * there is no action (undefined).
 */
export function toCodeAction(fix: Fix, uri: string, diagnostic: Diagnostic, lines: LineIndex, canCreateFiles = false): CodeAction | undefined {
  const edits = fix.edits.map((edit) => ({ range: toRange(lines, edit.range), newText: edit.newText }));
  const action = { title: fix.title, kind: CodeActionKind.QuickFix, isPreferred: fix.preferred, diagnostics: [diagnostic] };
  if (!fix.createFiles?.length) return { ...action, edit: { changes: { [uri]: edits } } };
  if (!canCreateFiles) return undefined;
  const start = { line: 0, character: 0 };
  const created = fix.createFiles.flatMap(({ path, text }) => {
    const target = new URL(path, uri).href;
    return [CreateFile.create(target, { ignoreIfExists: false, overwrite: false }), TextDocumentEdit.create({ uri: target, version: null }, [{ range: { start, end: start }, newText: text }])];
  });
  return { ...action, edit: { documentChanges: [TextDocumentEdit.create({ uri, version: null }, edits), ...created] } };
}

/** The hover on a flagged statement: which lock, on which table, what waits, why, and what to do instead. */
export function hoverMarkdown(finding: Finding): string {
  const rule = ruleById(finding.ruleId);
  const parts = [`**Lockguard** · \`${finding.ruleId}\` (${finding.severity})`, finding.message];
  if (finding.lock) {
    const { mode, relation, blocks } = finding.lock;
    parts.push(
      [
        '| Lock | Table | Blocks |',
        '|---|---|---|',
        `| ${mode} | \`${displayRelation(relation)}\` | ${blocks.join(', ')} |`,
      ].join('\n'),
      `While it is held, ${trafficImpact(mode)}.`,
    );
  }
  if (rule) parts.push(`**Why:** ${rule.docs.why}`);
  if (finding.safeAlternative) parts.push(`**Safe alternative:** ${finding.safeAlternative}`);
  if (finding.noFixReason) parts.push(`**No quick fix:** ${finding.noFixReason}`);
  parts.push(`[Rule documentation](${ruleDocsUrl(finding.ruleId)})`);
  return parts.join('\n\n');
}

/** The hover's last part on any statement: how the migration runner executes it (framework, section, transaction). */
export function executionMarkdown(migration: MigrationModel, statement: Statement, statements: readonly Statement[], lines: LineIndex): string {
  const lineOf = (index: number) => lines.positionAt(statements[index]?.range.start ?? statement.range.start).line + 1;
  const unchecked = uncheckedInDoBlock(statement).map((note) => `- line ${lines.positionAt(note.range.start).line + 1}: ${note.message}`);
  return [`_${describeExecution(migration, statement, lineOf)}_`, ...(unchecked.length > 0 ? ['**Not checked in this DO block:**', unchecked.join('\n')] : [])].join('\n\n');
}
