import { diffLines, type DiffLine } from './line-diff';

/** Lines of context around each change, as `diff -u` shows. */
const CONTEXT = 2;

/**
 * A unified diff of a file's text before and after (`before` undefined: the file is new), with a
 * few lines of context around each change: what `lockguard lint --fix-dry-run` prints.
 */
export function unifiedDiff(path: string, before: string | undefined, after: string): string {
  const old = before === undefined ? [] : splitLines(before);
  const now = splitLines(after);
  // Only the span between the common head and tail is compared: a fix changes a few lines of a long file.
  let head = 0;
  while (head < old.length && head < now.length && old[head] === now[head]) head++;
  let tail = 0;
  while (tail < old.length - head && tail < now.length - head && old[old.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
  const lines: DiffLine[] = [
    ...old.slice(0, head).map((text) => ({ sign: ' ' as const, text })),
    ...diffLines(old.slice(head, old.length - tail), now.slice(head, now.length - tail)),
    ...old.slice(old.length - tail).map((text) => ({ sign: ' ' as const, text })),
  ];
  const header = [`--- ${before === undefined ? '/dev/null' : `a/${path}`}`, `+++ b/${path}`];
  return [...header, ...hunks(lines)].join('\n') + '\n';
}

function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The changed lines with their context, as `@@ -a,b +c,d @@` hunks. */
function hunks(lines: readonly DiffLine[]): string[] {
  const changed = lines.flatMap((line, i) => (line.sign === ' ' ? [] : [i]));
  const out: string[] = [];
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, changed[i]! - CONTEXT);
    let end = Math.min(lines.length, changed[i]! + CONTEXT + 1);
    while (i + 1 < changed.length && changed[i + 1]! - CONTEXT <= end) end = Math.min(lines.length, changed[++i]! + CONTEXT + 1);
    i++;
    const before = lines.slice(0, start);
    const oldStart = before.filter((line) => line.sign !== '+').length + 1;
    const newStart = before.filter((line) => line.sign !== '-').length + 1;
    const body = lines.slice(start, end);
    const oldCount = body.filter((line) => line.sign !== '+').length;
    const newCount = body.filter((line) => line.sign !== '-').length;
    out.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`, ...body.map((line) => `${line.sign}${line.text}`));
  }
  return out;
}
