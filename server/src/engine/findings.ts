import type { OffsetRange } from './text/positions';
import type { Fix, LockImpact, RelatedLocation, Severity, TextEdit } from './rules/rule';

/** A rule's report about one statement, placed in the file. Positions are UTF-16 offsets. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  range: OffsetRange;
  statementIndex: number;
  fixes: Fix[];
  noFixReason: string | undefined;
  lock: LockImpact | undefined;
  safeAlternative: string | undefined;
  /** Other places that explain the finding (e.g. the earlier statement whose lock is still held). */
  related: RelatedLocation[];
  /** Inserts `-- lockguard-ignore <rule>: ` above the statement, for editors' "ignore here" action (none for suppression audits). */
  suppression: TextEdit | undefined;
}

export const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

export const bySeverityThenPosition = (a: Finding, b: Finding) =>
  a.range.start - b.range.start || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
