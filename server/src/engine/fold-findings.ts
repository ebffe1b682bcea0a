import { bySeverityThenPosition, SEVERITY_ORDER, type Finding } from './findings';
import { lockHeldAcrossSlowStatement } from './rules/lock-held-across-slow-statement';

/**
 * Findings that add to a statement's own lock problem rather than being one of their own: on a
 * statement another finding already flags for its lock (a CREATE INDEX without CONCURRENTLY, say),
 * "and an earlier lock is held meanwhile" belongs in that finding, not in a second error.
 */
const ADDS_TO_OWN_LOCK_FINDING: ReadonlySet<string> = new Set([lockHeldAcrossSlowStatement.id]);

/**
 * One finding per problem: each finding of `ADDS_TO_OWN_LOCK_FINDING` joins the first finding on the
 * same statement that reports the statement's own lock at the same severity or higher — as related
 * information (its message first, then its places), its fixes offered after the host's. Run on the
 * findings the user will see (after suppressions and configured severities): a suppressed or
 * downgraded host keeps nothing in.
 */
export function foldFindings(findings: readonly Finding[]): Finding[] {
  const adding = findings.filter((finding) => ADDS_TO_OWN_LOCK_FINDING.has(finding.ruleId));
  if (adding.length === 0) return [...findings];
  const byStatement = new Map<number, Finding[]>();
  for (const finding of findings) {
    const group = byStatement.get(finding.statementIndex);
    if (group) group.push(finding);
    else byStatement.set(finding.statementIndex, [finding]);
  }
  const hosts = new Map<Finding, Finding[]>();
  const folded = new Set<Finding>();
  for (const finding of adding) {
    const host = (byStatement.get(finding.statementIndex) ?? [])
      .filter((candidate) => isHostFor(candidate, finding))
      .sort(bySeverityThenPosition)[0];
    if (!host) continue;
    hosts.set(host, [...(hosts.get(host) ?? []), finding]);
    folded.add(finding);
  }
  if (folded.size === 0) return [...findings];
  return findings.filter((finding) => !folded.has(finding)).map((finding) => (hosts.has(finding) ? withFolded(finding, hosts.get(finding)!) : finding));
}

const isHostFor = (candidate: Finding, finding: Finding) =>
  candidate.statementIndex === finding.statementIndex &&
  !ADDS_TO_OWN_LOCK_FINDING.has(candidate.ruleId) &&
  candidate.lock !== undefined &&
  SEVERITY_ORDER[candidate.severity] <= SEVERITY_ORDER[finding.severity];

function withFolded(host: Finding, folded: readonly Finding[]): Finding {
  return {
    ...host,
    related: [...host.related, ...folded.flatMap((finding) => [{ range: finding.range, message: finding.message }, ...finding.related])],
    // The host's own fix comes first; the folded finding's fixes solve only its part.
    fixes: [...host.fixes, ...folded.flatMap((finding) => finding.fixes.map((fix) => ({ ...fix, preferred: false })))],
  };
}
