// Wording shared by everything that shows a staging check's result (diagnostics, checklist, report view).
// Pure: no vscode or LSP imports, so the VS Code client's report view bundles it too.
import type { CheckProgress, Duration, OperationVerdict, ProductionEstimate, StatementResult, TableBlocking } from '../engine/staging/report';

/** 850 ms, 3.2 s, 4.5 min, 2.1 h: precise enough to tell seconds from hours, which is what matters. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${round(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${round(ms / 60_000)} min`;
  return `${round(ms / 3_600_000)} h`;
}

const round = (value: number) => (value < 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value)));

export const formatRows = (rows: number): string => Math.round(rows).toLocaleString('en-US');

export function describeDuration(duration: Duration): string {
  return duration.kind === 'measured' ? formatDuration(duration.ms) : `not measured (${duration.reason})`;
}

export function describeEstimate(estimate: ProductionEstimate): string {
  return estimate.kind === 'estimated'
    ? `${formatDuration(estimate.lowMs)}–${formatDuration(estimate.highMs)} at ${formatRows(estimate.productionRows)} rows`
    : `not estimated (${estimate.reason})`;
}

/** "INSERT, UPDATE, DELETE (measured)", or "nothing" when every operation goes through. */
export function describeBlocked(operations: readonly OperationVerdict[]): string {
  const blocked = operations.filter((verdict) => verdict.blocked);
  if (blocked.length === 0) return 'nothing';
  const evidence = new Set(blocked.map((verdict) => verdict.evidence));
  const how = evidence.size === 1 ? [...evidence][0]! : 'measured and inferred';
  return `${blocked.map((verdict) => verdict.operation).join(', ')} (${how})`;
}

/** The tables whose traffic waits because of the locks held after this statement. */
export function blockingOf(statement: StatementResult): TableBlocking[] {
  return statement.status === 'traced' ? statement.trace.blocking.filter((table) => table.operations.some((verdict) => verdict.blocked)) : [];
}

/** The progress notification's line: "Statement 3 of 7: CREATE INDEX orders_status_idx". */
export function describeProgress(progress: CheckProgress): { message: string; percentage: number | undefined } {
  switch (progress.kind) {
    case 'connecting':
      return { message: `Connecting to ${progress.target}`, percentage: undefined };
    case 'replaying':
      return { message: `Replaying earlier migration ${progress.n} of ${progress.total}: ${progress.migration}`, percentage: undefined };
    case 'statement':
      return { message: `Statement ${progress.n} of ${progress.total}: ${progress.label}`, percentage: Math.round((100 * (progress.n - 1)) / progress.total) };
    case 'probing':
      return { message: `Probing which traffic waits on ${progress.table} (${progress.n} of ${progress.total})`, percentage: undefined };
    case 'rolling-back':
      return { message: 'Rolling back: nothing is kept', percentage: 100 };
  }
}
