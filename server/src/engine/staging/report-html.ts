// The staging check's report as a self-contained HTML page for the editor's webview. The language
// server renders it, so the page uses the engine's words and the client only shows the HTML it receives.
// `renderReportPage` is pure (report and nonce in, HTML out), so it is unit-tested directly.
// No scripts, no external resources.
import { randomBytes } from 'node:crypto';
import { LOCK_MODES, type LockMode } from '../locks/lock-modes';
import { blockingOf, describeBlocked, describeDuration, describeEstimate, formatDuration, formatRows } from './format';
import type { CheckReport, ProductionEstimate, StatementResult, TracedLock } from './report';
import { REPORT_CSS } from './report-style';

export interface ReportPage {
  report: CheckReport;
  /** The file's checklist block filled in with the measured values. */
  checklist: string;
}

export interface PageSecurity {
  /** Fresh per render: only the page's own <style> may apply (CSP). */
  nonce: string;
}

/** The page as the editor shows it: the panel's title and its HTML. */
export interface RenderedReport {
  title: string;
  html: string;
}

/** Renders the page with a fresh CSP nonce, for one showing in the webview. */
export function renderReport(page: ReportPage): RenderedReport {
  return { title: reportTitle(page.report), html: renderReportPage(page, { nonce: randomBytes(16).toString('base64') }) };
}

export function renderReportPage({ report, checklist }: ReportPage, { nonce }: PageSecurity): string {
  const csp = `default-src 'none'; style-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escape(reportTitle(report))}</title>
<style nonce="${nonce}">${REPORT_CSS}</style>
</head>
<body>
<h1>${escape(reportTitle(report))}</h1>
${summary(report)}
<h2>Statements</h2>
${statementTable(report)}
<h2>Locks across the migration</h2>
${timeline(report)}
<h2>Checklist</h2>
<p class="note">The same four sections <code>lockguard check</code> prints. "Write measured values into the checklist" (light bulb on the file) puts them into the file's checklist block.</p>
<pre class="checklist">${escape(checklist)}</pre>
</body>
</html>`;
}

export function reportTitle(report: CheckReport): string {
  return `Lockguard check: ${basename(report.file)}`;
}

function summary(report: CheckReport): string {
  const { target, outcome } = report;
  const where =
    target.kind === 'staging'
      ? `on staging <code>${escape(target.url)}</code> (PostgreSQL ${escape(target.serverVersion)})`
      : `on the embedded ${escape(target.engine)} database (PostgreSQL ${escape(target.serverVersion)}), after replaying ${target.replayedMigrations.length} earlier migration${target.replayedMigrations.length === 1 ? '' : 's'}: locks, rewrites and scans are real, blocking is inferred, and there are no timings (set <code>lockguard.staging.url</code> to measure them)`;
  const result =
    outcome.kind === 'completed'
      ? report.blocksTraffic
        ? '<p class="verdict bad">The migration blocks traffic on existing tables (details below).</p>'
        : '<p class="verdict good">No lock of this migration blocks reads or writes on an existing table.</p>'
      : outcome.kind === 'failed'
        ? `<p class="verdict bad">The check stopped at statement ${outcome.statementIndex + 1}: ${escape(outcome.message)}</p>`
        : `<p class="verdict warn">Cancelled${outcome.statementIndex === undefined ? '' : ` at statement ${outcome.statementIndex + 1}`}: the report shows what ran before.</p>`;
  const tables = report.tables.map(
    (table) =>
      `<li><code>${escape(table.table)}</code>: ${formatRows(table.staging.rows)} rows on staging${table.production ? `, ${formatRows(table.production.rows)} on production (${escape(table.production.source)})` : ''}</li>`,
  );
  return `<p>Checked ${where}, ${escape(report.startedAt)}, in ${formatDuration(report.elapsedMs)}. <strong>Rolled back: nothing was changed.</strong></p>
${result}
${tables.length > 0 ? `<ul class="tables">${tables.join('')}</ul>` : ''}`;
}

function statementTable(report: CheckReport): string {
  const header = ['#', 'Statement', 'Locks taken', 'Tables', 'Blocked until COMMIT', 'Staging', 'Production', 'Rewrite / scan'];
  // Each cell names its column (data-label): beside the migration (~500 px) a row becomes a card of
  // labelled lines, so nothing — "Blocked until COMMIT" above all — is cut off or scrolled out of view.
  const rows = report.statements.map((statement) => `<tr class="status-${statement.status}">${statementCells(statement).map((cell, i) => (cell === '' ? '<td class="empty"></td>' : `<td data-label="${header[i]}">${cell}</td>`)).join('')}</tr>`);
  return `<table class="statements"><thead><tr>${header.map((cell) => `<th>${cell}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function statementCells(statement: StatementResult): string[] {
  const first = [String(statement.index + 1), `<code title="${escape(statement.text)}">${escape(statement.label)}</code>`];
  switch (statement.status) {
    case 'traced': {
      const { trace } = statement;
      const locks = trace.locksAcquired.map(lockText);
      const tables = unique(trace.locksAcquired.filter((lock) => !lock.createdByMigration).map((lock) => lock.relation.table));
      const work = [
        ...trace.rewritten.map((relation) => `rewrite ${escape(relation.name)}`),
        ...trace.fullScans.map((scan) => `full scan ${escape(scan.table)}${scan.scans > 1 ? ` ×${scan.scans}` : ''} (${formatRows(scan.rowsRead)} rows)`),
        ...(trace.rowsTouched > 0 ? [`${formatRows(trace.rowsTouched)} rows written`] : []),
      ];
      return [
        ...first,
        list(locks),
        list(tables.map(escape)),
        list(blockingOf(statement).map((table) => `<code>${escape(table.table)}</code>: ${escape(describeBlocked(table.operations))}`)) || 'nothing',
        escape(describeDuration(trace.duration)),
        escape(productionText(trace.estimate)),
        list(work) || 'none',
      ];
    }
    case 'not-run': {
      const { reason } = statement;
      const why = reason.kind === 'non-transactional' ? `not run: ${reason.form} cannot run in the check's rolled-back transaction` : `not run: ${reason.message}`;
      const equivalent = reason.kind === 'non-transactional' ? reason.equivalent : undefined;
      return [
        ...first,
        list(statement.knownLocks.map((lock) => `<span class="mode ${modeClass(lock.mode)}">${escape(lock.mode)}</span> ${escape(lock.relation)} <span class="note">(documentation)</span>`)),
        list(unique(statement.knownLocks.map((lock) => lock.relation)).map(escape)),
        list(statement.knownLocks.map((lock) => `<code>${escape(lock.relation)}</code>: ${escape(describeBlocked(lock.blocks))}`)) || 'nothing',
        escape(equivalent ? `${describeDuration(equivalent.duration)} (non-concurrent equivalent)` : 'not run'),
        escape(equivalent ? productionText(equivalent.estimate) : '—'),
        escape(why),
      ];
    }
    case 'failed': {
      const { error } = statement;
      const blockers = error.blockers.map((blocker) => `waiting for pid ${blocker.pid} (${escape(blocker.applicationName || 'unknown application')}): <code>${escape(blocker.query)}</code>`);
      const failure = `<span class="error">failed${error.code ? ` (${escape(error.code)})` : ''}: ${escape(error.message)}</span>`;
      return [...first, list([failure, ...(error.hint ? [escape(error.hint)] : []), ...blockers]), '', '', '', '', ''];
    }
    case 'not-reached':
      return [...first, '<span class="note">not reached</span>', '', '', '', '', ''];
  }
}

const productionText = (estimate: ProductionEstimate) => (estimate.kind === 'estimated' ? estimate.sentence : describeEstimate(estimate));

const lockText = (lock: TracedLock) =>
  `<span class="mode ${modeClass(lock.mode)}">${escape(lock.mode)}</span> ${escape(lock.relation.name)}${lock.createdByMigration ? ' <span class="note">(new: blocks nobody)</span>' : ''}`;

// ---- Lock timeline: one row per existing table, one column per statement, the strongest mode held.

const ROW_HEIGHT = 26;
const LABEL_WIDTH = 180;
const COLUMN_WIDTH = 56;
const AXIS_HEIGHT = 22;

type Cell = { mode: LockMode; known: boolean } | undefined;

/**
 * Strongest mode per existing table after each traced statement (the trace's locks held so far). A
 * statement the check did not run shows only its own locks from the documentation: it runs outside
 * the traced transaction (CONCURRENTLY forms) or ends it (COMMIT).
 */
export function lockGrid(report: CheckReport): { tables: string[]; cells: Map<string, Cell[]> } {
  const cells = new Map<string, Cell[]>();
  const count = report.statements.length;
  const row = (table: string) => {
    if (!cells.has(table)) cells.set(table, new Array<Cell>(count).fill(undefined));
    return cells.get(table)!;
  };
  let held = new Map<string, LockMode>();
  report.statements.forEach((statement, column) => {
    if (statement.status === 'traced') {
      held = new Map();
      for (const lock of statement.trace.locksHeld) {
        if (lock.createdByMigration) continue;
        const current = held.get(lock.relation.table);
        if (!current || stronger(lock.mode, current)) held.set(lock.relation.table, lock.mode);
      }
    }
    if (statement.status === 'traced') for (const [table, mode] of held) row(table)[column] = { mode, known: false };
    if (statement.status === 'not-run') {
      for (const lock of statement.knownLocks) {
        const current = row(lock.relation)[column];
        if (!current || stronger(lock.mode, current.mode)) row(lock.relation)[column] = { mode: lock.mode, known: true };
      }
    }
  });
  return { tables: [...cells.keys()].sort(), cells };
}

function timeline(report: CheckReport): string {
  const { tables, cells } = lockGrid(report);
  if (tables.length === 0) return '<p class="note">The migration took no lock on a table that existed before it.</p>';
  const count = report.statements.length;
  const width = LABEL_WIDTH + count * COLUMN_WIDTH;
  const height = AXIS_HEIGHT + tables.length * ROW_HEIGHT;
  const bars: string[] = [];
  tables.forEach((table, rowIndex) => {
    const y = AXIS_HEIGHT + rowIndex * ROW_HEIGHT;
    bars.push(`<text class="label" x="${LABEL_WIDTH - 8}" y="${y + ROW_HEIGHT / 2 + 4}" text-anchor="end">${escape(truncate(table, 26))}</text>`);
    // Consecutive columns with the same mode make one bar: the lock is held across them.
    const row = cells.get(table)!;
    for (let start = 0; start < count; ) {
      const cell = row[start];
      let end = start + 1;
      while (cell && end < count && row[end]?.mode === cell.mode && row[end]?.known === cell.known) end++;
      if (cell) {
        const x = LABEL_WIDTH + start * COLUMN_WIDTH;
        const span = end - start === 1 ? `statement ${end}` : `statements ${start + 1}–${end}`;
        bars.push(
          `<rect class="bar ${modeClass(cell.mode)}${cell.known ? ' known' : ''}" x="${x + 1}" y="${y + 3}" width="${(end - start) * COLUMN_WIDTH - 2}" height="${ROW_HEIGHT - 6}" rx="3"><title>${escape(`${cell.mode} on ${table}, ${span}${cell.known ? ' (from the documentation: not run)' : ', held until COMMIT'}`)}</title></rect>`,
        );
      }
      start = end;
    }
  });
  const axis = report.statements.map((statement, column) => {
    const x = LABEL_WIDTH + column * COLUMN_WIDTH + COLUMN_WIDTH / 2;
    const duration = statement.status === 'traced' && statement.trace.duration.kind === 'measured' ? `, ${formatDuration(statement.trace.duration.ms)}` : '';
    return `<text class="axis" x="${x}" y="14" text-anchor="middle">${column + 1}<title>${escape(`${statement.label}${duration}`)}</title></text>`;
  });
  const used = LOCK_MODES.filter((mode) => tables.some((table) => cells.get(table)!.some((cell) => cell?.mode === mode)));
  const legend = used.map((mode) => `<span class="legend-item"><span class="swatch ${modeClass(mode)}"></span>${escape(mode)}</span>`).join('');
  return `<div class="scroll"><svg class="timeline" role="img" aria-label="Locks held per table across the migration's statements" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">${axis.join('')}${bars.join('')}</svg></div>
<p class="legend">${legend}<span class="legend-item"><span class="swatch known"></span>not run (from the documentation)</span></p>
<p class="note">Columns are the statements in order; a bar is the strongest lock held on the table (or its indexes) after that statement. Locks last until COMMIT.</p>`;
}

// LOCK_MODES runs from weakest to strongest: its index orders modes and picks their colours.
const stronger = (a: LockMode, b: LockMode) => LOCK_MODES.indexOf(a) > LOCK_MODES.indexOf(b);
const modeClass = (mode: LockMode) => `mode-${LOCK_MODES.indexOf(mode)}`;
const unique = <T>(items: readonly T[]) => [...new Set(items)];
const list = (items: readonly string[]) => items.join('<br>');
const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const basename = (path: string) => path.split(/[\\/]/).at(-1) ?? path;

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}
