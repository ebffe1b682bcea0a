import type { FileReport } from './report';

/** The stable JSON shape of `lockguard lint --format json`: positions 0-based, as in LSP. */
export function formatJson(reports: readonly FileReport[]): string {
  const findings = reports.flatMap(({ file, lines, findings }) =>
    findings.map((finding) => ({
      file,
      rule: finding.ruleId,
      severity: finding.severity,
      message: finding.message,
      range: { start: lines.positionAt(finding.range.start), end: lines.positionAt(finding.range.end) },
      fixes: finding.fixes.map((fix) => ({
        title: fix.title,
        edits: fix.edits.map((edit) => ({ range: { start: lines.positionAt(edit.range.start), end: lines.positionAt(edit.range.end) }, newText: edit.newText })),
        // Paths relative to the linted file's folder.
        ...(fix.createFiles && { createFiles: fix.createFiles }),
      })),
      // Why no fix is offered, where a user would expect one (absent otherwise, as in the text output).
      ...(finding.noFixReason !== undefined && { noFixReason: finding.noFixReason }),
    })),
  );
  return JSON.stringify(findings, null, 2) + '\n';
}
