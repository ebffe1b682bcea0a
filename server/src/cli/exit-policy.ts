import type { Severity } from '../engine';
import type { FileReport } from './report';
import { UsageError } from './usage';

/** The least severe finding that fails the run (`--fail-on`), or `never` (`--exit-zero`). */
export type FailOn = Severity | 'never';

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };
const SEVERITIES = Object.keys(RANK) as Severity[];

/** The threshold flags as given: `--fail-on`, `--max-severity` (its complement, as squawk-style tools name it) and `--exit-zero`. */
export interface ThresholdFlags {
  failOn: string | undefined;
  maxSeverity: string | undefined;
  exitZero: boolean;
}

/** `--max-severity S` passes with findings up to S and fails above it: the least severe finding that fails. */
const FAIL_ON_ABOVE: Readonly<Record<string, FailOn>> = { none: 'info', info: 'warning', warning: 'error', error: 'never' };

export function parseFailOn({ failOn, maxSeverity, exitZero }: ThresholdFlags): FailOn {
  const given = [failOn !== undefined && '--fail-on', maxSeverity !== undefined && '--max-severity', exitZero && '--exit-zero'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} contradict each other: each sets when findings fail the run. Use one.`);
  if (exitZero) return 'never';
  if (maxSeverity !== undefined) {
    const threshold = FAIL_ON_ABOVE[maxSeverity];
    if (!threshold) throw new UsageError(`unknown --max-severity "${maxSeverity}": use none, info, warning or error; findings above it fail the run.`);
    return threshold;
  }
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
