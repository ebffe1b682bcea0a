export interface DiffLine {
  sign: ' ' | '-' | '+';
  text: string;
}

/** Spans longer than this are shown as plain before/after: the quadratic table would not pay off. */
const MAX_DIFF_LINES = 400;

/** A minimal line diff (longest common subsequence), enough to preview a fix's few changed lines. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  if (before.length > MAX_DIFF_LINES || after.length > MAX_DIFF_LINES) {
    return [...before.map((text) => ({ sign: '-' as const, text })), ...after.map((text) => ({ sign: '+' as const, text }))];
  }
  // common[i][j] = length of the LCS of before[i..] and after[j..]
  const common = Array.from({ length: before.length + 1 }, () => new Array<number>(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      common[i]![j] = before[i] === after[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) {
      lines.push({ sign: ' ', text: before[i]! });
      i++;
      j++;
    } else if (i < before.length && (j === after.length || common[i + 1]![j]! >= common[i]![j + 1]!)) {
      // On a tie, removed lines come first, as in unified diffs.
      lines.push({ sign: '-', text: before[i]! });
      i++;
    } else {
      lines.push({ sign: '+', text: after[j]! });
      j++;
    }
  }
  return lines;
}
