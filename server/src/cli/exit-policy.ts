import type { Severity } from '../engine/rules/rule';
import type { FileReport } from './report';
import { UsageError } from './usage';

/** The least severe finding that fails the run (`--fail-on`), or `never` (`--exit-zero`). */
export type FailOn = Severity | 'never';

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };
const SEVERITIES = Object.keys(RANK) as Severity[];

export function parseFailOn(failOn: string | undefined, exitZero: boolean): FailOn {
  if (exitZero && failOn !== undefined) throw new UsageError('--exit-zero and --fail-on contradict each other: --exit-zero never fails, --fail-on sets when to fail. Use one.');
  if (exitZero) return 'never';
  if (failOn === undefined) return 'error';
  const severity = SEVERITIES.find((candidate) => candidate === failOn);
  if (!severity) throw new UsageError(`unknown --fail-on "${failOn}": use error (the default), warning or info; findings of that severity or above fail the run.`);
  return severity;
}

/** Exit code 1 when a finding reaches the threshold, 0 otherwise (2, for bad usage, is decided elsewhere). */
export function findingsExitCode(reports: readonly FileReport[], failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const fails = reports.some((report) => report.findings.some((finding) => RANK[finding.severity] >= RANK[failOn]));
  return fails ? 1 : 0;
}
