import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'syntax-error';

describe(RULE, () => {
  it('gives one diagnostic on the broken statement, at the token the parser stopped at', () => {
    const sql = 'SELECT 1;\nCREATE INDX orders_idx ON orders (id);\nSELECT 2;';
    const [finding, ...others] = findingsOf(RULE, sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/syntax error at or near "INDX"/);
    expect(textOf(sql, finding!)).toBe('INDX');
  });

  it('keeps analysing the rest of the file', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN;\nCREATE INDEX i ON orders (a);\nSELEC 1;';
    expect(lint(sql).map((finding) => finding.ruleId)).toEqual([RULE, 'create-index-without-concurrently', RULE]);
  });

  it('recovers from a half-typed string literal so later statements are still checked', () => {
    const sql = "UPDATE orders SET status = 'shipp\nCREATE INDEX i ON orders (a);";
    expect(lint(sql).map((finding) => finding.ruleId)).toEqual([RULE, 'create-index-without-concurrently']);
  });

  it('positions the error correctly after multi-byte characters', () => {
    const sql = "SELECT 'naïve 🚀' frm orders;";
    const [finding] = findingsOf(RULE, sql);
    expect(textOf(sql, finding!)).toBe('orders');
  });

  it('reports templated SQL as a warning that names the cause', () => {
    const sql = 'CREATE INDEX i ON {{ index .Options "Namespace" }}.users (email);';
    const [finding] = findingsOf(RULE, sql);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toMatch(/template placeholders/);
  });

  it('recognises a template inside a quoted identifier', () => {
    const sql = 'CREATE INDEX i ON "{{ index .Options "Namespace" }}".identities (user_id);';
    expect(findingsOf(RULE, sql).map((finding) => finding.severity)).toEqual(['warning']);
  });

  it('keeps a broken multi-line statement as one diagnostic', () => {
    const sql = 'CREATE TABLE t (\n  a int,,\n  b int\n);\nSELECT 1;';
    expect(lint(sql).map((finding) => finding.ruleId)).toEqual([RULE]);
  });

  it.each([
    ['binary junk', '\u0000\u0001\u00ff\ufffd;\u0007 DROP'],
    ['only a quote', "'"],
    ['unterminated dollar quote', 'DO $$ BEGIN'],
    ['unbalanced parentheses', 'CREATE INDEX i ON t ((((a);'],
  ])('never throws on %s', (_name, sql) => {
    expect(() => lint(sql)).not.toThrow();
    expect(findingsOf(RULE, sql).length).toBeGreaterThan(0);
  });

  it('finds nothing in valid SQL, comments or psql meta-commands', () => {
    expect(lint('-- nothing\n\\set ON_ERROR_STOP on\n/* still nothing */ SELECT 1;')).toEqual([]);
  });
});

// Review round 5 #72 (golang-migrate-pkgsite 000122…down.sql): golang-migrate sends the file as one query, which
// PostgreSQL parses whole, so an error anywhere means nothing runs; and the run stops at the first error, not the last.
describe(`${RULE}: what the error does to the run`, () => {
  const twoErrors = 'ALTER TABLE s DROP COLUMN x;\nALTER TABLE s DROP COLUMN goos goos;\nALTER TABLE s DROP COLUMN goarch goarch;\n';

  it('in a file sent as one query, says none of it runs, and that it is the rollback', () => {
    const [first, second] = findingsOf(RULE, twoErrors, { filePath: 'migrations/000122_add_symbol_search_columns.down.sql' });
    expect(first!.message).toMatch(/golang-migrate sends this rollback to PostgreSQL as one query, .* it rejects the rollback here, and none of its statements run\.$/);
    expect(second!.message).toContain('it rejects the rollback already at line 2');
  });

  it('statement by statement, the run stops at the first error', () => {
    const [first, second] = findingsOf(RULE, twoErrors);
    expect(first!.message).toMatch(/the migration will stop here\.$/);
    expect(second!.message).toMatch(/the migration already stops at line 2\.$/);
  });
});
