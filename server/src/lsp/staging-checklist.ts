// The migration checklist (snippet `migration-checklist`) filled in from a staging check's report.
// Pure text in, text out: the code action and the report view both use it.
import snippets from '../../../snippets/sql.json';
import type { CheckReport, RelationLabel, StatementResult } from '../engine/staging/report';
import type { OffsetRange } from '../engine/text/positions';
import { describeBlocked, formatDuration, formatRows } from './staging-format';

const BEGIN = '/* lockguard:checklist';
const END = 'lockguard:end */';
const HEADINGS = {
  runTime: 'Estimated run time on production volume:',
  locks: 'Lock analysis:',
  rollback: 'Rollback procedure:',
  monitoring: 'Monitoring while it runs (run from another session):',
} as const;
type Section = keyof typeof HEADINGS;

/** The `/* lockguard:checklist … lockguard:end *\/` block of a file, if it has one. */
export function findChecklistBlock(text: string): OffsetRange | undefined {
  const match = /\/\*\s*lockguard:checklist\b[\s\S]*?lockguard:end\s*\*\//.exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : undefined;
}

/**
 * The checklist with run time and lock analysis written from the report. The rollback procedure and
 * monitoring queries are the user's: kept from `existing` (the file's block) when they were written
 * there; otherwise the rollback drops what the check saw the migration create, and the monitoring
 * queries are the snippet's.
 */
export function fillChecklist(report: CheckReport, existing: string | undefined): string {
  const defaults = sectionsOf(snippetText());
  const kept = existing ? sectionsOf(existing) : {};
  const userRollback = kept.rollback && kept.rollback.join('\n') !== defaults.rollback?.join('\n') ? kept.rollback : undefined;
  const section = (name: Section, lines: readonly string[]) => [HEADINGS[name], ...lines.map(safeInComment), ''];
  return [
    BEGIN,
    '',
    ...section('runTime', runTimeLines(report)),
    ...section('locks', lockLines(report)),
    ...section('rollback', userRollback ?? rollbackLines(report) ?? defaults.rollback ?? []),
    ...section('monitoring', kept.monitoring ?? defaults.monitoring ?? []),
    END,
  ].join('\n');
}

function runTimeLines(report: CheckReport): string[] {
  const where = report.target.kind === 'staging' ? `staging (PostgreSQL ${report.target.serverVersion})` : `the embedded ${report.target.engine} database`;
  const lines = [`  measured by "Lockguard: Check migration" on ${where}, ${report.startedAt}; rolled back, nothing changed`];
  let low = 0;
  let high = 0;
  for (const statement of report.statements) {
    const estimate = estimateOf(statement);
    if (!estimate) continue;
    if (estimate.kind === 'estimated') {
      low += estimate.lowMs;
      high += estimate.highMs;
      lines.push(`  ${estimate.table}: ${formatRows(estimate.productionRows)} rows on production, estimate ${formatDuration(estimate.lowMs)} to ${formatDuration(estimate.highMs)} (statement ${statement.index + 1}: ${statement.label}; ${formatRows(estimate.stagingRows)} rows on staging)`);
    } else {
      lines.push(`  statement ${statement.index + 1} (${statement.label}): not estimated: ${estimate.reason}`);
    }
  }
  if (high > 0) lines.push(`  whole migration: ${formatDuration(low)} to ${formatDuration(high)}`);
  return lines;
}

function estimateOf(statement: StatementResult) {
  if (statement.status === 'traced') return statement.trace.estimate;
  if (statement.status === 'not-run' && statement.reason.kind === 'non-transactional') return statement.reason.equivalent?.estimate;
  return undefined;
}

/** Per table: the strongest lock, what it blocks, and from which statement until COMMIT. */
function lockLines(report: CheckReport): string[] {
  const lines: string[] = [];
  const firstBlocked = new Map<string, number>();
  let last: StatementResult | undefined;
  for (const statement of report.statements) {
    if (statement.status === 'not-run') {
      for (const lock of statement.knownLocks) {
        lines.push(`  ${lock.relation}: ${lock.mode} lock (statement ${statement.index + 1}, ${statement.label}, not run: from the PostgreSQL documentation), blocks ${describeBlocked(lock.blocks)}`);
      }
    }
    if (statement.status !== 'traced') continue;
    last = statement;
    for (const table of statement.trace.blocking) if (table.operations.some((verdict) => verdict.blocked) && !firstBlocked.has(table.table)) firstBlocked.set(table.table, statement.index);
  }
  if (last?.status === 'traced') {
    for (const table of last.trace.blocking) {
      const from = firstBlocked.get(table.table);
      const span = from === undefined ? '' : ` from statement ${from + 1} until COMMIT${heldFor(report.statements.filter((statement) => statement.index >= from))}`;
      lines.unshift(`  ${table.table}: ${table.strongestMode} lock, blocks ${describeBlocked(table.operations)}${span}`);
    }
  }
  if (report.outcome.kind !== 'completed') lines.push(`  incomplete: the check ${report.outcome.kind === 'failed' ? `failed at statement ${report.outcome.statementIndex + 1}: ${report.outcome.message}` : 'was cancelled'}`);
  return lines.length > 0 ? lines : ['  no lock on an existing table: nobody else waits'];
}

/** Drops of the relations the migration created, newest first; undefined when it created none. */
function rollbackLines(report: CheckReport): string[] | undefined {
  const created = new Map<string, RelationLabel>();
  for (const statement of report.statements) {
    if (statement.status !== 'traced') continue;
    for (const lock of statement.trace.locksAcquired) if (lock.createdByMigration) created.set(lock.relation.name, lock.relation);
  }
  const createdTables = new Set([...created.values()].filter((relation) => relation.kind === 'table' || relation.kind === 'partitioned table').map((relation) => relation.name));
  const drops = [...created.values()]
    .reverse()
    // Indexes of a created table go with the table.
    .filter((relation) => relation.kind !== 'index' || !createdTables.has(relation.table))
    .flatMap((relation) => (DROP[relation.kind] ? [`  ${DROP[relation.kind]} ${relation.name};`] : []));
  if (drops.length === 0) return undefined;
  return [...drops, '  -- and whatever undoes the rest of the migration (columns, constraints, data), written and reviewed by hand'];
}

const DROP: Partial<Record<RelationLabel['kind'], string>> = {
  index: 'DROP INDEX CONCURRENTLY IF EXISTS',
  table: 'DROP TABLE IF EXISTS',
  'partitioned table': 'DROP TABLE IF EXISTS',
  view: 'DROP VIEW IF EXISTS',
  'materialized view': 'DROP MATERIALIZED VIEW IF EXISTS',
};

/** How long a lock taken before `statements` stays held: their production estimates, else their staging time. */
function heldFor(statements: readonly StatementResult[]): string {
  const traced = statements.flatMap((statement) => (statement.status === 'traced' ? [statement.trace] : []));
  const estimates = traced.flatMap((trace) => (trace.estimate.kind === 'estimated' ? [trace.estimate] : []));
  if (estimates.length > 0) {
    const sum = (pick: (estimate: (typeof estimates)[number]) => number) => formatDuration(estimates.reduce((total, estimate) => total + pick(estimate), 0));
    return `: about ${sum((estimate) => estimate.lowMs)} to ${sum((estimate) => estimate.highMs)} on production`;
  }
  const measured = traced.flatMap((trace) => (trace.duration.kind === 'measured' ? [trace.duration.ms] : []));
  return measured.length > 0 ? `: ${formatDuration(measured.reduce((total, ms) => total + ms, 0))} on staging` : '';
}

/** Lines under each heading of a checklist block, without the blank line that ends the section. */
function sectionsOf(block: string): Partial<Record<Section, string[]>> {
  const sections: Partial<Record<Section, string[]>> = {};
  let current: Section | undefined;
  for (const line of block.split(/\r?\n/)) {
    const heading = (Object.keys(HEADINGS) as Section[]).find((name) => line.trim() === HEADINGS[name] || line.trim().startsWith(HEADINGS[name].slice(0, -1)));
    if (heading) {
      current = heading;
      sections[heading] = [];
    } else if (/lockguard:end/.test(line)) {
      current = undefined;
    } else if (current) {
      sections[current]!.push(line);
    }
  }
  for (const lines of Object.values(sections)) while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return sections;
}

/** The snippet's body as a user gets it by tabbing through: placeholders become their defaults. */
function snippetText(): string {
  const snippet = Object.values(snippets as Record<string, { prefix: string | string[]; body: string[] }>).find((entry) => [entry.prefix].flat().includes('migration-checklist'));
  return (snippet?.body ?? [])
    .join('\n')
    .replace(/\$\{\d+:([^}]*)\}/g, '$1')
    .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
    .replace(/\$\d+/g, '');
}

/** PostgreSQL block comments nest: a `/*` or `*\/` inside the checklist would end or extend it elsewhere. */
const safeInComment = (line: string) => line.replace(/\/\*/g, '/ *').replace(/\*\//g, '* /');
