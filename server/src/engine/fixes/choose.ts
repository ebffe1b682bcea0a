import type { Finding } from '../findings';
import type { Fix } from '../rules/rule';
import type { OffsetRange } from '../text/positions';

/** Which of a finding's fixes a batch applies: "fix all" takes only those safe without review, `--fix` the preferred one. */
export type FixPolicy = 'auto-applicable' | 'preferred';

export interface ChosenFix {
  finding: Finding;
  fix: Fix;
}

/**
 * The fixes a batch applies, one per finding at most, in the findings' order, skipping any whose
 * edits touch an earlier one's (applying both could garble the text; the next run picks it up).
 * The findings' fixes must already be verified (see ./verify.ts). Fixes that create files are
 * taken only where the caller can write them.
 */
export function chooseFixes(findings: readonly Finding[], policy: FixPolicy, canCreateFiles: boolean): ChosenFix[] {
  const chosen: ChosenFix[] = [];
  const taken: OffsetRange[] = [];
  for (const finding of findings) {
    const fix = finding.fixes.find((candidate) => (policy === 'preferred' ? candidate.preferred : candidate.autoApplicable) && (canCreateFiles || !candidate.createFiles?.length));
    if (!fix || fix.edits.some((edit) => taken.some((range) => edit.range.start <= range.end && range.start <= edit.range.end))) continue;
    chosen.push({ finding, fix });
    taken.push(...fix.edits.map((edit) => edit.range));
  }
  return chosen;
}
