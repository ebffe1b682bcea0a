/**
 * The staging report's numbers and shared phrases, for every place that shows them (CLI formats,
 * checklist, diagnostics, the editor's report view). Pure: no vscode or LSP imports, so the VS Code
 * client's report view bundles it too.
 */
import type { CheckProgress, Duration, OperationVerdict, ProductionEstimate, StatementResult, TableBlocking } from './report';

const UNITS = [
  { unit: 'h', ms: 3_600_000 },
  { unit: 'min', ms: 60_000 },
  { unit: 's', ms: 1_000 },
  { unit: 'ms', ms: 1 },
] as const;

/** `3–12 min`, `40 s–2 min`, `<1 ms`. */
export function formatRange(lowMs: number, highMs: number): string {
  const low = splitUnit(lowMs);
  const high = splitUnit(highMs);
  return low.unit === high.unit ? `${low.value}–${high.value} ${high.unit}` : `${low.value} ${low.unit}–${high.value} ${high.unit}`;
}

export function formatDuration(ms: number): string {
  const { value, unit } = splitUnit(ms);
  return `${value} ${unit}`;
}

function splitUnit(ms: number): { value: string; unit: string } {
  const { unit, ms: size } = UNITS.find((candidate) => ms >= candidate.ms) ?? { unit: 'ms', ms: 1 };
  const value = ms / size;
  return { value: value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10), unit };
}

/** `50M`, `1.2k`, `800`. */
export function formatRows(rows: number): string {
  if (rows >= 1e9) return `${round(rows / 1e9)}G`;
  if (rows >= 1e6) return `${round(rows / 1e6)}M`;
  if (rows >= 1e3) return `${round(rows / 1e3)}k`;
  return String(rows);
}

const round = (value: number) => (value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10));

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

export function describeDuration(duration: Duration): string {
  return duration.kind === 'measured' ? formatDuration(duration.ms) : `not measured (${duration.reason})`;
}

export function describeEstimate(estimate: ProductionEstimate): string {
  return estimate.kind === 'estimated' ? `${formatRange(estimate.lowMs, estimate.highMs)} at ${formatRows(estimate.productionRows)} rows` : `not estimated (${estimate.reason})`;
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
