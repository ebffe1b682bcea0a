import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'concurrently-in-transaction';
const inTransaction = (statement: string) => `BEGIN;\nSELECT 1;\n${statement}\nCOMMIT;\n`;

describe(RULE, () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY', 'CREATE INDEX CONCURRENTLY i ON orders (a);'],
    ['CREATE UNIQUE INDEX CONCURRENTLY', 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a);'],
    ['DROP INDEX CONCURRENTLY', 'DROP INDEX CONCURRENTLY IF EXISTS i;'],
    ['REINDEX CONCURRENTLY', 'REINDEX INDEX CONCURRENTLY i;'],
    ['DETACH PARTITION CONCURRENTLY', 'ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;'],
  ])('flags %s inside BEGIN … COMMIT and moves it after COMMIT', (form, statement) => {
    const sql = inTransaction(statement);
    const [finding, ...others] = findingsOf(RULE, sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toContain(form.startsWith('CREATE') ? 'CREATE INDEX CONCURRENTLY' : form);
    expect(finding!.message).toMatch(/25001/);
    expect(textOf(sql, finding!)).toBe('CONCURRENTLY');
    const result = applyFix(sql, finding!.fixes[0]!);
    expect(result).toBe(`BEGIN;\nSELECT 1;\nCOMMIT;\n\n${statement}\n`);
    expect(findingsOf(RULE, result)).toEqual([]);
  });

  it.each([
    ['REINDEX SCHEMA', 'REINDEX SCHEMA app;'],
    ['REINDEX DATABASE', 'REINDEX DATABASE shop;'],
    ['REINDEX DATABASE', 'REINDEX DATABASE;'],
    ['REINDEX SYSTEM', 'REINDEX SYSTEM shop;'],
    ['REINDEX SYSTEM', 'REINDEX (VERBOSE) SYSTEM;'],
    ['REINDEX CONCURRENTLY', 'REINDEX SCHEMA CONCURRENTLY app;'],
  ])('flags %s inside BEGIN … COMMIT (%s), and its fix runs it outside the block', (form, statement) => {
    const sql = inTransaction(statement);
    const [finding, ...others] = findingsOf(RULE, sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toContain(`${form} cannot run inside a transaction block`);
    expect(textOf(sql, finding!)).toBe(form === 'REINDEX CONCURRENTLY' ? 'CONCURRENTLY' : statement.slice(0, -1));
    const result = applyFix(sql, finding!.fixes[0]!);
    expect(result).toContain(statement);
    expect(findingsOf(RULE, result)).toEqual([]);
  });

  it('flags REINDEX DATABASE when the migration tool wraps the file', () => {
    const [finding] = findingsOf(RULE, '-- migrate:up\nREINDEX DATABASE shop;\n');
    expect(finding!.message).toContain('runs this file in a transaction, and REINDEX DATABASE cannot run inside a transaction block');
  });

  // Review round 5 #22 (kratos, Ory popx): an `.autocommit.` migration is sent as one query, so its
  // statements share PostgreSQL's implicit transaction unless it holds only one.
  it('pop .autocommit. files: one statement runs outside a transaction, several share one', () => {
    const index = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON a (x);\n';
    const path = (name: string) => ({ filePath: `persistence/sql/migrations/20240101000000000001_${name}.postgres.autocommit.up.sql` });
    expect(findingsOf(RULE, index, path('alone'))).toEqual([]);
    const findings = findingsOf(RULE, `${index}CREATE INDEX CONCURRENTLY IF NOT EXISTS b_idx ON b (x);\n`, path('two'));
    expect(findings).toHaveLength(2);
    expect(findings[0]!.message).toMatch(/^pop sends this file as one query, which PostgreSQL runs as one transaction, and CREATE INDEX CONCURRENTLY cannot run/);
    expect(findings[0]!.message).toContain('Put the statement alone in a migration of its own');
  });

  it.each([
    ['autocommit', 'REINDEX SCHEMA app;'],
    ['REINDEX TABLE may run in a transaction', 'BEGIN;\nREINDEX TABLE orders;\nCOMMIT;'],
    ['REINDEX INDEX may run in a transaction', 'BEGIN;\nREINDEX INDEX orders_pkey;\nCOMMIT;'],
  ])('stays quiet for REINDEX: %s', (_name, sql) => {
    expect(findingsOf(RULE, sql)).toEqual([]);
  });

  it.each([
    ['autocommit', 'CREATE INDEX CONCURRENTLY i ON orders (a);'],
    ['after the block', 'BEGIN;\nSELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON orders (a);'],
    ['after ROLLBACK', 'BEGIN;\nROLLBACK;\nDROP INDEX CONCURRENTLY i;'],
    ['REFRESH MATERIALIZED VIEW CONCURRENTLY may run in a transaction', 'BEGIN;\nREFRESH MATERIALIZED VIEW CONCURRENTLY mv;\nCOMMIT;'],
    ['plain DROP INDEX', 'BEGIN;\nDROP INDEX i;\nCOMMIT;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findingsOf(RULE, sql)).toEqual([]);
  });

  it('explains why there is no fix when the block is never closed', () => {
    const [finding] = findingsOf(RULE, 'BEGIN;\nCREATE INDEX CONCURRENTLY i ON orders (a);\n');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/migration of its own/);
  });

  it('does not double-report: the CONCURRENTLY form is not also a non-concurrent index', () => {
    expect(lint(inTransaction('CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a);')).map((finding) => finding.ruleId)).toEqual([RULE]);
  });
});
