import { createHash } from 'node:crypto';
import { slashPath, type FileReport } from './report';

/**
 * One id per finding of the report, in order, for code-quality and code-scanning reports that track an
 * issue from one pipeline to the next: it hashes the file, the rule and the flagged line's text
 * (trimmed), not the line number, so a migration added above does not make every old finding look
 * new. Identical lines flagged by the same rule are told apart by their order.
 */
export function fingerprints(report: FileReport): string[] {
  const seen = new Map<string, number>();
  return report.findings.map((finding) => {
    const line = report.lines.lineText(report.lines.positionAt(finding.range.start).line).trim();
    const key = [slashPath(report.file), finding.ruleId, line].join('\0');
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return createHash('sha256').update(`${key}\0${occurrence}`).digest('hex');
  });
}
