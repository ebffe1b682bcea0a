import type { Finding } from '../findings';
import type { Fix } from '../rules/rule';
import type { OffsetRange } from '../text/positions';

/** Which of a finding's fixes a batch applies: "fix all" takes only those safe without review, `--fix` the preferred one. */
export type FixPolicy = 'auto-applicable' | 'preferred';

export interface ChosenFix {
  finding: Finding;
  fix: Fix;
}

export interface FixChoice {
  policy: FixPolicy;
  /**
   * Whether a fix that creates files may be taken: where the caller can write them (the CLI: and no
   * file is in the way). Without it, such fixes are never taken (an editor's "fix all" edits one file).
   */
  mayCreateFiles?: (fix: Fix) => boolean;
  /**
   * The finding with only the fixes that pass verification (see ./verify.ts). Asked only of findings
   * with a fix the policy could take, since verifying lints the file again (the editor verifies on
   * demand). Without it, the findings' fixes are taken as already verified (the CLI verifies them all).
   */
  verified?: (finding: Finding) => Finding;
}

/**
 * The fixes a batch applies — the one policy of the editor's "fix all" and of `lockguard lint --fix`:
 * one per finding at most, in the findings' order, skipping any whose edits touch an earlier one's
 * (applying both could garble the text; the next run picks it up).
 */
export function chooseFixes(
  findings: readonly Finding[],
  { policy, mayCreateFiles = () => false, verified = (finding) => finding }: FixChoice,
): ChosenFix[] {
  const takes = (fix: Fix) =>
    (policy === 'preferred' ? fix.preferred : fix.autoApplicable) && (!fix.createFiles?.length || mayCreateFiles(fix));
  const chosen: ChosenFix[] = [];
  const taken: OffsetRange[] = [];
  for (const candidate of findings) {
    if (!candidate.fixes.some(takes)) continue;
    const finding = verified(candidate);
    const fix = finding.fixes.find(takes);
    if (!fix || fix.edits.some((edit) => taken.some((range) => edit.range.start <= range.end && range.start <= edit.range.end))) continue;
    chosen.push({ finding, fix });
    taken.push(...fix.edits.map((edit) => edit.range));
  }
  return chosen;
}
