import { applyEdits, type Finding, type Fix, type LineIndex, type Severity } from '../engine';
import { diffLines, type DiffLine } from './line-diff';
import type { FileReport } from './report';

export interface Paint {
  red(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const ansi = (code: number) => (text: string) => `\x1b[${code}m${text}\x1b[0m`;
export const COLORS: Paint = { red: ansi(31), yellow: ansi(33), blue: ansi(34), green: ansi(32), dim: ansi(2), bold: ansi(1) };
const identity = (text: string) => text;
export const NO_COLORS: Paint = { red: identity, yellow: identity, blue: identity, green: identity, dim: identity, bold: identity };

/**
 * Colours on a terminal; `NO_COLOR` (no-color.org) turns them off, `FORCE_COLOR` turns them on where
 * stdout is not a terminal but shows colours, such as GitHub Actions and GitLab CI job logs.
 */
export function paintFor(stdoutIsTTY: boolean, env: NodeJS.ProcessEnv): Paint {
  if (env.NO_COLOR) return NO_COLORS;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return COLORS;
  return stdoutIsTTY ? COLORS : NO_COLORS;
}

/** Lines of a fix preview shown before eliding the rest. */
const PREVIEW_LINES = 16;

/** `file:line:col severity rule message`, a code frame, and the fix as a before/after preview. */
export function formatText(reports: readonly FileReport[], paint: Paint): string {
  const out: string[] = [];
  for (const report of reports) {
    for (const finding of report.findings) out.push(formatFinding(report, finding, paint), '');
  }
  out.push(summary(reports, paint));
  return out.join('\n') + '\n';
}

function formatFinding({ file, source, lines }: FileReport, finding: Finding, paint: Paint): string {
  const start = lines.positionAt(finding.range.start);
  const severity = paintSeverity(finding.severity, paint);
  const header = `${paint.bold(`${file}:${start.line + 1}:${start.character + 1}`)} ${severity} ${paint.dim(finding.ruleId)} ${finding.message}`;
  const parts = [header, codeFrame(lines, finding, paint)];
  for (const related of finding.related) {
    const at = lines.positionAt(related.range.start);
    parts.push(`  ${paint.bold('note:')} ${file}:${at.line + 1}:${at.character + 1} ${related.message}`);
  }
  for (const fix of finding.fixes) parts.push(fixPreview(source, lines, fix, paint));
  if (finding.noFixReason) parts.push(`  ${paint.bold('no fix:')} ${finding.noFixReason}`);
  return parts.join('\n');
}

function paintSeverity(severity: Severity, paint: Paint): string {
  if (severity === 'error') return paint.red('error');
  if (severity === 'warning') return paint.yellow('warning');
  return paint.blue('info');
}

function codeFrame(lines: LineIndex, finding: Finding, paint: Paint): string {
  const start = lines.positionAt(finding.range.start);
  const end = lines.positionAt(finding.range.end);
  const first = Math.max(0, start.line - 1);
  const last = Math.min(lines.lineCount - 1, start.line + 1);
  const width = String(last + 1).length;
  const frame: string[] = [];
  for (let line = first; line <= last; line++) {
    const text = lines.lineText(line);
    const marker = line === start.line ? paint.red('>') : ' ';
    frame.push(`${marker} ${paint.dim(`${String(line + 1).padStart(width)} |`)} ${text}`);
    if (line === start.line) {
      const underlineEnd = end.line === line ? Math.max(end.character, start.character + 1) : text.length;
      const caretCount = Math.max(1, underlineEnd - start.character);
      frame.push(`  ${' '.repeat(width)} ${paint.dim('|')} ${' '.repeat(start.character)}${paint.red('^'.repeat(caretCount))}`);
    }
  }
  return frame.join('\n');
}

/** Shows the lines a fix touches as a diff: removed (-), added (+) and unchanged context; then each file it creates, all added. */
function fixPreview(source: string, lines: LineIndex, fix: Fix, paint: Paint): string {
  const title = `  ${paint.bold(fix.preferred ? 'fix (preferred):' : 'fix:')} ${fix.title}`;
  const parts = [title];
  if (fix.edits.length > 0) {
    const edits = [...fix.edits].sort((a, b) => a.range.start - b.range.start);
    const spanStart = lines.offsetAt({ line: lines.positionAt(edits[0]!.range.start).line, character: 0 });
    const lastLine = lines.positionAt(edits[edits.length - 1]!.range.end).line;
    // Clamped to the start of the next line: the span ends with the last touched line's break.
    const spanEnd = lines.offsetAt({ line: lastLine, character: Number.MAX_SAFE_INTEGER });
    const shifted = edits.map((edit) => ({ ...edit, range: { start: edit.range.start - spanStart, end: edit.range.end - spanStart } }));
    const before = source.slice(spanStart, spanEnd);
    parts.push(...diffPreview(diffLines(splitLines(before), splitLines(applyEdits(before, shifted))), paint));
  }
  for (const created of fix.createFiles ?? []) {
    parts.push(paint.bold(`    new file ${created.path} (relative to this file's folder):`), ...diffPreview(diffLines([], splitLines(created.text)), paint));
  }
  return parts.join('\n');
}

function diffPreview(diff: readonly DiffLine[], paint: Paint): string[] {
  const shown = diff.slice(0, PREVIEW_LINES).map(({ sign, text }) => {
    const line = `    ${sign} ${text}`;
    return sign === '-' ? paint.red(line) : sign === '+' ? paint.green(line) : paint.dim(line);
  });
  if (diff.length > PREVIEW_LINES) shown.push(paint.dim(`    … ${diff.length - PREVIEW_LINES} more lines`));
  return shown;
}

const splitLines = (text: string) => text.replace(/\r/g, '').replace(/\n$/, '').split('\n');

/** The closing line: counts by severity, or that the files are clean. */
export function summary(reports: readonly FileReport[], paint: Paint): string {
  const findings = reports.flatMap((report) => report.findings);
  const count = (severity: Severity) => findings.filter((finding) => finding.severity === severity).length;
  const files = `${reports.length} file${reports.length === 1 ? '' : 's'}`;
  if (findings.length === 0) return paint.green(`✔ No problems found in ${files}.`);
  const affected = reports.filter((report) => report.findings.length > 0).length;
  const errors = count('error');
  const line = `✖ ${findings.length} problem${findings.length === 1 ? '' : 's'} (${errors} error${errors === 1 ? '' : 's'}, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}, ${count('info')} info) in ${affected} of ${files}.`;
  return errors > 0 ? paint.red(line) : paint.yellow(line);
}
