/** `lockguard check`'s output formats: text for a terminal, Markdown for a pull request, JSON (the report as is). */
import { CHECKLIST_HEADINGS, checklistSections, describeBlocking, describeDurationTerse as describeDuration, describeKnownLocks, describeLocks, describeOutcome, describeTables, describeTarget, type ChecklistSection, type CheckReport, type StatementResult } from '../engine';
import type { Paint } from './format-text';

export const CHECK_FORMATS = ['text', 'json', 'markdown'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export function formatCheck(format: CheckFormat, report: CheckReport, paint: Paint): string {
  switch (format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'markdown':
      return checkMarkdown(report);
    case 'text':
      return checkText(report, paint);
  }
}

/** One line per fact of a statement, in the order a reader asks: what it locks, what waits, for how long. */
function statementFacts(statement: StatementResult): { label: string; value: string }[] {
  switch (statement.status) {
    case 'traced': {
      const { trace } = statement;
      const facts = [
        { label: 'locks taken', value: describeLocks(trace.locksAcquired) },
        { label: 'held until commit', value: describeLocks(trace.locksHeld) },
        { label: 'rewrite', value: trace.rewritten.length === 0 ? 'no' : trace.rewritten.map((relation) => relation.name).join(', ') },
        { label: 'full scan', value: trace.fullScans.length === 0 ? 'no' : trace.fullScans.map((scan) => `${scan.table} (${scan.rowsRead} rows read)`).join(', ') },
        { label: 'rows touched', value: String(trace.rowsTouched) },
        ...(trace.dropped ?? []).map((relation) => ({ label: 'dropped', value: `${relation.name} (other sessions see it until COMMIT; probed by its oid)` })),
        ...(trace.renamed ?? []).map(({ from, to }) => ({ label: 'renamed', value: `${from.name} → ${to.name} (other sessions see the old name until COMMIT)` })),
        { label: 'time', value: describeDuration(trace.duration) },
        ...describeBlocking(trace.blocking).map((value) => ({ label: 'blocked', value })),
      ];
      // On the embedded database nothing is timed, so there is nothing to estimate from: say nothing.
      if (trace.duration.kind === 'measured') facts.push({ label: 'production', value: trace.estimate.kind === 'estimated' ? trace.estimate.sentence : `not estimated: ${trace.estimate.reason}` });
      return facts;
    }
    case 'not-run': {
      const { reason } = statement;
      if (reason.kind !== 'non-transactional') return [{ label: 'not run', value: reason.message }];
      const facts = [
        { label: 'not run', value: `${reason.form} cannot run inside the check's transaction; facts from the PostgreSQL documentation` },
        { label: 'locks', value: describeKnownLocks(statement.knownLocks) },
      ];
      if (reason.equivalent) {
        facts.push({ label: 'timed as', value: `${reason.equivalent.text} (${describeDuration(reason.equivalent.duration)}; kept in the check's transaction for the statements after it)` });
        const estimate = reason.equivalent.estimate;
        facts.push({ label: 'production', value: estimate.kind === 'estimated' ? estimate.sentence : `not estimated: ${estimate.reason}` });
      }
      return facts;
    }
    case 'failed':
      return [
        { label: 'failed', value: `${statement.error.code ? `${statement.error.code} ` : ''}${statement.error.message}` },
        ...(statement.error.hint ? [{ label: 'why', value: statement.error.hint }] : []),
        ...statement.error.blockers.map((blocker) => ({ label: 'held by', value: `pid ${blocker.pid}${blocker.applicationName ? ` (${blocker.applicationName})` : ''}: ${blocker.query}` })),
      ];
    case 'not-reached':
      return [{ label: 'not reached', value: 'the check stopped before this statement' }];
  }
}

function checkText(report: CheckReport, paint: Paint): string {
  const out = [`${paint.bold('lockguard check')} ${report.file}`, `target:  ${describeTarget(report.target)}`, `outcome: ${describeOutcome(report.outcome, report.statements)}`, ''];
  for (const statement of report.statements) {
    const header = `${statement.index + 1}. line ${statement.start.line + 1}: ${statement.label}`;
    out.push(statement.status === 'failed' ? paint.red(header) : paint.bold(header));
    for (const fact of statementFacts(statement)) {
      const value = fact.label === 'blocked' && / wait[ ;]| wait \(/.test(fact.value) && !fact.value.includes('nothing waits') ? paint.yellow(fact.value) : fact.value;
      out.push(`   ${paint.dim(fact.label.padEnd(17))} ${value}`);
    }
    out.push('');
  }
  const tables = describeTables(report);
  if (tables.length > 0) out.push(paint.bold('tables'), ...tables.map((line) => `   ${line}`), '');
  const sections = checklistSections(report);
  for (const name of SECTION_ORDER) out.push(paint.bold(CHECKLIST_HEADINGS[name]), ...sections[name].map((line) => ` ${line}`), '');
  const verdict = checkVerdict(report);
  out.push(verdict.kind === 'safe' ? paint.green(verdict.text) : paint.red(verdict.text));
  return out.join('\n') + '\n';
}

const SECTION_ORDER: readonly ChecklistSection[] = ['runTime', 'locks', 'rollback', 'monitoring'];

/** The last line: a ✔ only when every statement was analysed and nothing waits; the exit code it comes with. */
export function checkVerdict(report: CheckReport): { kind: 'safe' | 'blocks' | 'incomplete'; text: string } {
  const { outcome } = report;
  if (outcome.kind === 'failed') return { kind: 'incomplete', text: `✖ Not analysed past statement ${outcome.statementIndex + 1}: it failed (${outcome.message}). Exit code 1.` };
  if (outcome.kind === 'cancelled') {
    const where = outcome.statementIndex === undefined ? 'before the first statement' : `past statement ${outcome.statementIndex + 1}`;
    return { kind: 'incomplete', text: `✖ Not analysed ${where}: the check was cancelled. Exit code 2.` };
  }
  if (report.blocksTraffic) return { kind: 'blocks', text: '✖ Reads or writes of other sessions wait on this migration while it works (see "Lock analysis"). Exit code 1.' };
  return { kind: 'safe', text: '✔ No read or write of an existing table waits on this migration beyond a catalog change. Exit code 0.' };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function checkMarkdown(report: CheckReport): string {
  const out = [`### Lockguard check: \`${report.file}\``, '', `- **Target:** ${describeTarget(report.target)}`, `- **Outcome:** ${describeOutcome(report.outcome, report.statements)}`, ''];
  out.push('| # | Line | Statement | Facts |', '|---|---|---|---|');
  for (const statement of report.statements) {
    const facts = statementFacts(statement).map((fact) => `**${fact.label}:** ${cell(fact.value)}`).join('<br>');
    out.push(`| ${statement.index + 1} | ${statement.start.line + 1} | \`${cell(statement.label)}\` | ${facts} |`);
  }
  const tables = describeTables(report);
  if (tables.length > 0) out.push('', '**Tables**', '', ...tables.map((line) => `- ${line}`));
  const sections = checklistSections(report);
  for (const name of SECTION_ORDER) out.push('', `#### ${CHECKLIST_HEADINGS[name].replace(/:$/, '')}`, '', name === 'rollback' || name === 'monitoring' ? '```sql' : '```', ...sections[name].map((line) => line.replace(/^ {2}/, '')), '```');
  out.push('', `**${checkVerdict(report).text}**`);
  return out.join('\n') + '\n';
}
