import type { Severity } from '../engine';
import { fingerprints } from './fingerprint';
import { slashPath, type FileReport } from './report';

/** The fields GitLab reads from a code quality report entry. */
interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: 'info' | 'minor' | 'major' | 'critical' | 'blocker';
  location: { path: string; lines: { begin: number } };
}

/** An error blocks production traffic, so it is critical; blocker is left for what stops a deploy outright. */
const SEVERITY: Readonly<Record<Severity, CodeQualityIssue['severity']>> = { error: 'critical', warning: 'major', info: 'info' };

/**
 * A GitLab code quality report (`artifacts:reports:codequality`): one issue per finding, with a
 * fingerprint that stays the same while the flagged line is unchanged, so a merge request shows only
 * the findings it adds or fixes.
 */
export function formatGitlab(reports: readonly FileReport[]): string {
  const issues = reports.flatMap((report) => {
    const ids = fingerprints(report);
    return report.findings.map(
      (finding, index): CodeQualityIssue => ({
        description: finding.message,
        check_name: finding.ruleId,
        fingerprint: ids[index]!,
        severity: SEVERITY[finding.severity],
        location: { path: slashPath(report.file), lines: { begin: report.lines.positionAt(finding.range.start).line + 1 } },
      }),
    );
  });
  return JSON.stringify(issues, null, 2) + '\n';
}
