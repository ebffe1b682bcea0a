import { describe, expect, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { LineIndex } from '../../server/src/engine/text/positions';
import { toDiagnostic } from '../../server/src/lsp/convert';
import { fillChecklist, findChecklistBlock } from '../../server/src/engine/staging/checklist';
import { StagingResults } from '../../server/src/lsp/staging-results';
import { MIGRATION, stagingReport } from './staging-report-fixture';

// What a staging check writes into the file: the checklist block and the diagnostics' measured facts.

const section = (checklist: string, heading: string) => {
  const lines = checklist.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  const end = lines.findIndex((line, index) => index > start && line === '');
  return lines.slice(start + 1, end);
};

describe('checklist filled from a staging check', () => {
  it('writes run time on production volume and the lock analysis from the measurements', () => {
    const checklist = fillChecklist(stagingReport(), undefined);
    expect(checklist.split('\n')[0]).toBe('/* lockguard:checklist');
    expect(checklist.split('\n').at(-1)).toBe('lockguard:end */');
    expect(section(checklist, 'Estimated run time on production volume:')).toEqual([
      '  measured by "lockguard check" on staging (PostgreSQL 17.10), 2026-11-25T10:50:00.000Z; rolled back, nothing changed',
      '  statement 2 (ALTER TABLE orders ADD COLUMN shipped_at): 4 ms on staging; not estimated: catalog-only change: its time does not grow with the table',
      '  statement 3 (CREATE INDEX orders_status_idx): 2.6–10 min at 50M rows of public.orders (200k on staging)',
      '  statement 5 (CREATE INDEX CONCURRENTLY orders_customer_idx): 3–12 min at 50M rows of public.orders (200k on staging)',
      // Per table, the whole migration: the time its traffic waits.
      '  public.orders: ACCESS EXCLUSIVE for 2.6–10 min on production in total',
      '  whole migration: 5.6–22 min on production',
    ]);
    // Each lock with the statement that took it: the ACCESS EXCLUSIVE from statement 2, held across the build of statement 3.
    expect(section(checklist, 'Lock analysis:')).toEqual([
      '  public.orders: ACCESS EXCLUSIVE from statement 2 until its transaction commits after statement 3, blocks SELECT, INSERT, UPDATE, DELETE, DDL (measured); 2.6–10 min on production',
      '  public.orders: SHARE UPDATE EXCLUSIVE (statement 5, CREATE INDEX CONCURRENTLY orders_customer_idx; not run: from the PostgreSQL documentation), blocks DDL (inferred)',
    ]);
    // Without a block in the file, the rollback undoes each step the check saw, newest first — the CONCURRENTLY build too.
    expect(section(checklist, 'Rollback procedure:')).toEqual([
      '  -- undoes statement 5 (CREATE INDEX CONCURRENTLY orders_customer_idx)',
      '  DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;',
      '  -- undoes statement 3 (CREATE INDEX orders_status_idx)',
      '  DROP INDEX CONCURRENTLY IF EXISTS public.orders_status_idx;',
      '  -- and whatever undoes the rest of the migration (columns, constraints, data), written and reviewed by hand',
    ]);
    // The snippet's queries, then the lock queue of the tables this migration locks.
    expect(section(checklist, 'Monitoring while it runs (run from another session):')).toContain("  WHERE l.locktype = 'relation' AND l.relation IN ('public.orders'::regclass)");
    expect(section(checklist, 'Monitoring while it runs (run from another session):')).toContain('  FROM pg_stat_progress_create_index;');
  });

  it("keeps the user's rollback procedure and monitoring queries from the file's block", () => {
    const existing = [
      '/* lockguard:checklist',
      '',
      'Estimated run time on production volume:',
      '  orders: N rows on production, estimate N min to N min',
      '',
      'Rollback procedure:',
      '  DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;',
      '  ALTER TABLE orders DROP COLUMN shipped_at;',
      '',
      'Monitoring while it runs (run from another session):',
      '  SELECT 1;',
      '',
      'lockguard:end */',
    ].join('\n');
    const checklist = fillChecklist(stagingReport(), existing);
    expect(section(checklist, 'Rollback procedure:')).toEqual(['  DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;', '  ALTER TABLE orders DROP COLUMN shipped_at;']);
    expect(section(checklist, 'Monitoring while it runs (run from another session):')).toEqual(['  SELECT 1;']);
    expect(checklist).not.toContain('estimate N min');
  });

  it("replaces the snippet's rollback placeholder; with nothing to undo, says what is left to write by hand", () => {
    const placeholder = fillChecklist(stagingReport({ statements: [] }), undefined);
    expect(section(placeholder, 'Rollback procedure:')).toEqual(['  -- and whatever undoes the rest of the migration (columns, constraints, data), written and reviewed by hand']);
    const snippetBlock = placeholder.replace(/Rollback procedure:\n[^\n]*\n/, 'Rollback procedure:\n  statements that undo this migration, e.g. DROP INDEX CONCURRENTLY IF EXISTS index_name;\n');
    expect(section(fillChecklist(stagingReport(), snippetBlock), 'Rollback procedure:')[1]).toBe('  DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;');
  });

  it('never puts a comment delimiter inside the block (PostgreSQL block comments nest)', () => {
    const report = stagingReport();
    report.statements[2] = { ...report.statements[2]!, label: 'CREATE INDEX /* why */ orders_status_idx' };
    const checklist = fillChecklist(report, undefined);
    expect(checklist.split('/*')).toHaveLength(2);
    expect(checklist.split('*/')).toHaveLength(2);
  });

  it('says when the check did not finish', () => {
    const checklist = fillChecklist(stagingReport({ outcome: { kind: 'cancelled', statementIndex: 2 } }), undefined);
    expect(section(checklist, 'Lock analysis:')).toContain('  not analysed past statement 3: the check was cancelled');
    expect(section(checklist, 'Estimated run time on production volume:')).toContain('  not analysed past statement 3: the check was cancelled');
  });

  it("lists each locked table once in the lock-queue query: the trace's public.orders and the documentation's orders are one table", () => {
    // The CONCURRENTLY build is not run: its lock is the documentation's, named as the file wrote it.
    const fixture = stagingReport();
    const report = { ...fixture, statements: fixture.statements.map((statement) => (statement.status === 'not-run' ? { ...statement, knownLocks: statement.knownLocks.map((lock) => ({ ...lock, relation: 'orders' })) } : statement)) };
    expect(report.statements.flatMap((statement) => (statement.status === 'not-run' ? statement.knownLocks.map((lock) => lock.relation) : []))).toEqual(['orders']);
    const queue = fillChecklist(report, undefined).split('\n').find((line) => line.includes('AND l.relation IN'));
    expect(queue).toBe("  WHERE l.locktype = 'relation' AND l.relation IN ('public.orders'::regclass)");
  });

  it('finds the block the snippet inserts', () => {
    const text = `-- migration\n/* lockguard:checklist\nLock analysis:\n  x\nlockguard:end */\nSELECT 1;\n`;
    const block = findChecklistBlock(text)!;
    expect(text.slice(block.start, block.end)).toBe('/* lockguard:checklist\nLock analysis:\n  x\nlockguard:end */');
    expect(findChecklistBlock('/* a comment */ SELECT 1;')).toBeUndefined();
  });
});

describe('diagnostics and code action after a check', async () => {
  const linter = await Linter.create();
  const uri = 'file:///project/migrations/003_order_status.sql';

  function diagnosticsFor(results: StagingResults, text: string) {
    const analysis = linter.lint(text, { pgVersion: 15 });
    const lines = new LineIndex(text);
    return analysis.findings.map((finding) => results.enrich(uri, finding, analysis.statements, toDiagnostic(finding, lines, uri)));
  }

  it("append the measured facts to the finding of the checked statement, until that statement's text changes", () => {
    const results = new StagingResults();
    const before = diagnosticsFor(results, MIGRATION).find((diagnostic) => diagnostic.code === 'create-index-without-concurrently')!;
    results.set(uri, stagingReport());
    const after = diagnosticsFor(results, MIGRATION).find((diagnostic) => diagnostic.code === 'create-index-without-concurrently')!;
    expect(after.message).toBe(
      `${before.message}\nMeasured on staging (PostgreSQL 17.10): took SHARE on public.orders; ran 1.2 s; blocked until COMMIT: public.orders: SELECT, INSERT, UPDATE, DELETE, DDL (measured); production: ACCESS EXCLUSIVE on public.orders for ~2.6–10 min at 50M rows: every read and write waits`,
    );
    // An edit elsewhere keeps them; editing the statement drops them.
    // (The finding's own text moves with the file: it cites the line of the earlier lock.)
    const measured = String(after.message).slice(String(before.message).length);
    const elsewhere = diagnosticsFor(results, `-- reviewed\n${MIGRATION}`).find((diagnostic) => diagnostic.code === 'create-index-without-concurrently')!;
    expect(elsewhere.message).toMatch(/by line 3 of this transaction/);
    expect(String(elsewhere.message).endsWith(measured)).toBe(true);
    const edited = diagnosticsFor(results, MIGRATION.replace('(status)', '(status, id)')).find((diagnostic) => diagnostic.code === 'create-index-without-concurrently')!;
    expect(edited.message).toBe(before.message);
    results.forget(uri);
    expect(diagnosticsFor(results, MIGRATION).find((diagnostic) => diagnostic.code === 'create-index-without-concurrently')!.message).toBe(before.message);
  });

  it('"Write measured values into the checklist" replaces the block, or adds one at the top', () => {
    const results = new StagingResults();
    expect(results.checklistAction(uri, MIGRATION, new LineIndex(MIGRATION))).toBeUndefined();
    results.set(uri, stagingReport());

    const added = results.checklistAction(uri, MIGRATION, new LineIndex(MIGRATION))!;
    expect(added.title).toBe('Add the migration checklist with the measured values');
    expect(added.kind).toBe('quickfix.lockguard.checklist');
    const [insert] = added.edit!.changes![uri]!;
    expect(insert!.range).toEqual({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    expect(insert!.newText).toBe(`${fillChecklist(stagingReport(), undefined)}\n\n`);

    const withBlock = `-- 003\n/* lockguard:checklist\n\nRollback procedure:\n  ALTER TABLE orders DROP COLUMN shipped_at;\n\nlockguard:end */\n${MIGRATION}`;
    const filled = results.checklistAction(uri, withBlock, new LineIndex(withBlock))!;
    expect(filled.title).toBe('Write measured values into the checklist');
    const [replace] = filled.edit!.changes![uri]!;
    expect(replace!.range).toEqual({ start: { line: 1, character: 0 }, end: { line: 6, character: 16 } });
    expect(replace!.newText).toContain('Rollback procedure:\n  ALTER TABLE orders DROP COLUMN shipped_at;\n');
    expect(replace!.newText).toContain('statement 3 (CREATE INDEX orders_status_idx): 2.6–10 min at 50M rows of public.orders (200k on staging)');
  });
});
