/**
 * The staging check's checklist — production run time, lock analysis, rollback procedure, monitoring
 * queries — written from a report. One home for its text: the CLI formats print it, the editor's
 * report view shows it, and the code action writes it into the file's `lockguard:checklist` block
 * (snippet `migration-checklist`), keeping a rollback procedure or monitoring queries the user wrote there.
 */
import snippets from '../../../../snippets/sql.json';
import type { OffsetRange } from '../text/positions';
import { describeBlocked, formatDuration, formatRange, formatRows } from './format';
import type { CheckReport, RelationLabel, StatementResult } from './report';
import { lookupTable } from './sizes';
import { lockSpans, tableTotals, type LockSpan } from './spans';

const BEGIN = '/* lockguard:checklist';
const END = 'lockguard:end */';
export const CHECKLIST_HEADINGS = {
  runTime: 'Estimated run time on production volume:',
  locks: 'Lock analysis:',
  rollback: 'Rollback procedure:',
  monitoring: 'Monitoring while it runs (run from another session):',
} as const;
export type ChecklistSection = keyof typeof CHECKLIST_HEADINGS;
const HEADINGS = CHECKLIST_HEADINGS;
type Section = ChecklistSection;

/** The `/* lockguard:checklist … lockguard:end *\/` block of a file, if it has one. */
export function findChecklistBlock(text: string): OffsetRange | undefined {
  const match = /\/\*\s*lockguard:checklist\b[\s\S]*?lockguard:end\s*\*\//.exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : undefined;
}

/** The four sections' lines (indented by two spaces), from the report alone. */
export function checklistSections(report: CheckReport): Record<Section, string[]> {
  const defaults = sectionsOf(snippetText());
  return {
    runTime: runTimeLines(report),
    locks: lockLines(report),
    rollback: rollbackLines(report),
    monitoring: monitoringLines(report, defaults.monitoring ?? []),
  };
}

/**
 * The checklist block with run time and lock analysis written from the report. The rollback
 * procedure and monitoring queries are the user's when `existing` (the file's block) has them
 * changed from the snippet's; otherwise they are written from the report too.
 */
export function fillChecklist(report: CheckReport, existing: string | undefined): string {
  const defaults = sectionsOf(snippetText());
  const kept = existing ? sectionsOf(existing) : {};
  const own = (name: Section) => (kept[name] && kept[name]!.join('\n') !== defaults[name]?.join('\n') ? kept[name] : undefined);
  const written = checklistSections(report);
  const section = (name: Section, lines: readonly string[]) => [HEADINGS[name], ...lines.map(safeInComment), ''];
  return [BEGIN, '', ...section('runTime', written.runTime), ...section('locks', written.locks), ...section('rollback', own('rollback') ?? written.rollback), ...section('monitoring', own('monitoring') ?? written.monitoring), END].join('\n');
}

function runTimeLines(report: CheckReport): string[] {
  const where = report.target.kind === 'staging' ? `staging (PostgreSQL ${report.target.serverVersion})` : `the embedded ${report.target.engine} database (no timings)`;
  const lines = [`  measured by "lockguard check" on ${where}, ${report.startedAt}; rolled back, nothing changed`];
  let low = 0;
  let high = 0;
  for (const statement of report.statements) {
    const estimate = estimateOf(statement);
    if (!estimate) continue;
    if (estimate.kind === 'estimated') {
      low += estimate.lowMs;
      high += estimate.highMs;
      lines.push(`  statement ${statement.index + 1} (${statement.label}): ${formatRange(estimate.lowMs, estimate.highMs)} at ${formatRows(estimate.productionRows)} rows of ${estimate.table} (${formatRows(estimate.stagingRows)} on staging)`);
    } else if (statement.status === 'traced' && statement.trace.duration.kind === 'measured') {
      lines.push(`  statement ${statement.index + 1} (${statement.label}): ${formatDuration(statement.trace.duration.ms)} on staging; not estimated: ${estimate.reason}`);
    }
  }
  for (const total of tableTotals(lockSpans(report.statements, report.target))) {
    const time = total.production ? `${formatRange(total.production.lowMs, total.production.highMs)} on production` : total.stagingMs !== undefined ? `${formatDuration(total.stagingMs)} on staging` : 'time not measured';
    lines.push(`  ${total.table}: ${total.mode} for ${time} in total${total.spans > 1 ? ` (${total.spans} transactions)` : ''}`);
  }
  if (high > 0) lines.push(`  whole migration: ${formatRange(low, high)} on production`);
  lines.push(...incomplete(report));
  return lines;
}

function estimateOf(statement: StatementResult) {
  if (statement.status === 'traced') return statement.trace.estimate;
  if (statement.status === 'not-run' && statement.reason.kind === 'non-transactional') return statement.reason.equivalent?.estimate;
  return undefined;
}

/** Per blocking lock: the mode, what waits, from which statement until its transaction commits, and for how long. */
function lockLines(report: CheckReport): string[] {
  const lines = lockSpans(report.statements, report.target).map((span) => `  ${span.table}: ${span.mode} ${spanExtent(span)}, blocks ${describeBlocked(span.operations)}${spanTime(span)}`);
  for (const statement of report.statements) {
    if (statement.status !== 'not-run') continue;
    for (const lock of statement.knownLocks) {
      lines.push(`  ${lock.relation}: ${lock.mode} (statement ${statement.index + 1}, ${statement.label}; not run: from the PostgreSQL documentation), blocks ${describeBlocked(lock.blocks)}`);
    }
  }
  if (lines.length === 0) lines.push('  no lock on an existing table makes reads or writes wait');
  return [...lines, ...incomplete(report)];
}

const spanExtent = (span: LockSpan) => (span.from === span.until ? `during statement ${span.from + 1}` : `from statement ${span.from + 1} until its transaction commits after statement ${span.until + 1}`);

function spanTime(span: LockSpan): string {
  if (!span.slow) return '; a catalog change only: held for milliseconds';
  if (span.production) return `; ${formatRange(span.production.lowMs, span.production.highMs)} on production`;
  return span.stagingMs !== undefined ? `; ${formatDuration(span.stagingMs)} on staging` : '';
}

function incomplete(report: CheckReport): string[] {
  const { outcome } = report;
  if (outcome.kind === 'completed') return [];
  const where = outcome.statementIndex === undefined ? 'before the first statement' : `past statement ${outcome.statementIndex + 1}`;
  return [`  not analysed ${where}: the check ${outcome.kind === 'failed' ? `failed (${outcome.message})` : 'was cancelled'}`];
}

/**
 * What undoes each step the check saw, newest first: drops of what the migration created (indexes
 * CONCURRENTLY, also those it built CONCURRENTLY), renames back; the rest is written by hand.
 */
function rollbackLines(report: CheckReport): string[] {
  const steps: string[] = [];
  const createdTables = new Set<string>();
  for (const statement of report.statements) {
    if (statement.status !== 'traced') continue;
    for (const lock of statement.trace.locksAcquired) if (lock.createdByMigration && (lock.relation.kind === 'table' || lock.relation.kind === 'partitioned table')) createdTables.add(lock.relation.name);
  }
  const seen = new Set<string>();
  for (const statement of [...report.statements].reverse()) {
    const undo: string[] = [];
    if (statement.status === 'traced') {
      for (const { from, to } of statement.trace.renamed ?? []) undo.push(`ALTER ${RENAME_KIND[from.kind] ?? 'TABLE'} ${to.name} RENAME TO ${bareName(from.name)};`);
      for (const lock of statement.trace.locksAcquired) {
        const { relation } = lock;
        if (!lock.createdByMigration || seen.has(relation.name) || (relation.kind === 'index' && createdTables.has(relation.table))) continue;
        seen.add(relation.name);
        if (DROP[relation.kind]) undo.push(`${DROP[relation.kind]} ${relation.name};`);
      }
      for (const relation of statement.trace.dropped ?? []) undo.push(`-- ${relation.name} was dropped: restore it from a backup or recreate it by hand`);
    }
    if (statement.status === 'not-run' && statement.reason.kind === 'non-transactional') {
      const index = concurrentIndexName(statement.text);
      if (index) undo.push(`DROP INDEX CONCURRENTLY IF EXISTS ${index};`);
    }
    if (undo.length > 0) steps.push(`  -- undoes statement ${statement.index + 1} (${statement.label})`, ...undo.map((line) => `  ${line}`));
  }
  return [...steps, '  -- and whatever undoes the rest of the migration (columns, constraints, data), written and reviewed by hand'];
}

const DROP: Partial<Record<RelationLabel['kind'], string>> = {
  index: 'DROP INDEX CONCURRENTLY IF EXISTS',
  table: 'DROP TABLE IF EXISTS',
  'partitioned table': 'DROP TABLE IF EXISTS',
  view: 'DROP VIEW IF EXISTS',
  'materialized view': 'DROP MATERIALIZED VIEW IF EXISTS',
  sequence: 'DROP SEQUENCE IF EXISTS',
};
const RENAME_KIND: Partial<Record<RelationLabel['kind'], string>> = { index: 'INDEX', view: 'VIEW', 'materialized view': 'MATERIALIZED VIEW', sequence: 'SEQUENCE' };
const bareName = (name: string) => name.slice(name.lastIndexOf('.') + 1);

/** The index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON …` builds; undefined when it has no name. */
function concurrentIndexName(text: string): string | undefined {
  const match = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+))?)\s+ON\b/i.exec(text);
  return match?.[1];
}

/** The snippet's monitoring queries, then the lock queue of the tables the migration locks. */
function monitoringLines(report: CheckReport, snippetQueries: readonly string[]): string[] {
  const tables = lockedTables(report);
  if (tables.length === 0) return [...snippetQueries];
  const list = tables.map((table) => `'${table.replace(/'/g, "''")}'::regclass`).join(', ');
  return [
    ...snippetQueries,
    `  -- the lock queue on the tables this migration locks: granted and waiting, oldest first`,
    `  SELECT l.relation::regclass AS table_name, l.mode, l.granted, a.pid, now() - a.xact_start AS xact_age, left(a.query, 80) AS query`,
    `  FROM pg_locks l JOIN pg_stat_activity a USING (pid)`,
    `  WHERE l.locktype = 'relation' AND l.relation IN (${list})`,
    `  ORDER BY l.granted DESC, a.xact_start;`,
  ];
}

/**
 * The existing tables the migration locks, each named once: traced locks name a table as the catalog
 * does (`public.orders`), the documentation as the migration wrote it (`orders`); a name that matches
 * one already listed is the same table (sizes.ts's `lookupTable`), so qualified names are taken first.
 */
function lockedTables(report: CheckReport): string[] {
  const names = report.statements.flatMap((statement) => (statement.status === 'traced' ? statement.trace.locksHeld.filter((lock) => !lock.createdByMigration).map((lock) => lock.relation.table) : statement.status === 'not-run' ? statement.knownLocks.map((lock) => lock.relation) : []));
  const qualifiedFirst = [...new Set(names)].sort((a, b) => Number(b.includes('.')) - Number(a.includes('.')));
  const tables = new Map<string, string>();
  for (const name of qualifiedFirst) if (lookupTable(tables, name) === undefined) tables.set(name, name);
  return [...tables.keys()].sort();
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
