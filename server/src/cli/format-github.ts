import type { Finding, Severity } from '../engine';
import { NO_COLORS, summary } from './format-text';
import { slashPath, type FileReport } from './report';

const COMMAND: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff
 * (`::error file=…,line=…::message`), followed by the plain summary for the job log.
 */
export function formatGithub(reports: readonly FileReport[]): string {
  const annotations = reports.flatMap((report) => report.findings.map((finding) => annotation(report, finding)));
  return [...annotations, summary(reports, NO_COLORS)].join('\n') + '\n';
}

function annotation({ file, lines }: FileReport, finding: Finding): string {
  const start = lines.positionAt(finding.range.start);
  // GitHub's end column is inclusive: the position of the last flagged character.
  const last = lines.positionAt(Math.max(finding.range.start, finding.range.end - 1));
  const properties = [
    ['file', slashPath(file)],
    ['line', String(start.line + 1)],
    ['col', String(start.character + 1)],
    ['endLine', String(last.line + 1)],
    ['endColumn', String(last.character + 1)],
    ['title', `lockguard ${finding.ruleId}`],
  ].map(([key, value]) => `${key}=${escapeProperty(value!)}`);
  return `::${COMMAND[finding.severity]} ${properties.join(',')}::${escapeData(message(finding))}`;
}

function message(finding: Finding): string {
  const parts = [finding.message];
  const fix = finding.fixes.find((candidate) => candidate.preferred) ?? finding.fixes[0];
  if (fix) parts.push(`Fix: ${fix.title}`);
  if (finding.noFixReason) parts.push(`No automatic fix: ${finding.noFixReason}`);
  return parts.join('\n');
}

// The escaping of GitHub's workflow commands (@actions/core's command.ts): a message may hold
// anything but `%`, CR and LF; a property value also not `:` or `,`, which delimit properties.
export const escapeData = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export const escapeProperty = (text: string): string => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
