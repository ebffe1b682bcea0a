import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'alter-column-set-expression';
const findings = (sql: string, pgVersion = 17) => findingsOf(RULE, sql, { pgVersion });

const SET_EXPRESSION = 'ALTER TABLE orders ALTER COLUMN total_cents SET EXPRESSION AS (round(total * 100));';

describe(RULE, () => {
  it('flags a new expression for a generated column of an existing table (PostgreSQL 17: always stored)', () => {
    const [finding, ...others] = findings(SET_EXPRESSION);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(SET_EXPRESSION, finding!)).toBe('ALTER COLUMN total_cents SET EXPRESSION AS (round(total * 100))');
    expect(finding!.message).toMatch(/^SET EXPRESSION of total_cents rewrites orders and rebuilds all its indexes under an ACCESS EXCLUSIVE lock/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'orders' } });
    expect(finding!.noFixReason).toMatch(/new column/);
  });

  it('on PostgreSQL 18+, where the column may be virtual (no rewrite), says so and warns', () => {
    const [finding] = findings(SET_EXPRESSION, 18);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toMatch(/^If total_cents is a STORED generated column: SET EXPRESSION of total_cents rewrites orders/);
    expect(finding!.message).toMatch(/A VIRTUAL one, PostgreSQL 18's default, is not rewritten/);
  });

  it('reports each SET EXPRESSION of a statement', () => {
    const sql = 'ALTER TABLE app.orders ALTER COLUMN a SET EXPRESSION AS (x + 1), ALTER COLUMN b SET EXPRESSION AS (x + 2);';
    expect(findings(sql).map((finding) => textOf(sql, finding))).toEqual(['ALTER COLUMN a SET EXPRESSION AS (x + 1)', 'ALTER COLUMN b SET EXPRESSION AS (x + 2)']);
    expect(findings(sql)[0]!.message).toMatch(/rewrites app\.orders/);
  });

  it.each([
    ['a table created earlier in the file', 'CREATE TABLE t (a int, g int GENERATED ALWAYS AS (a * 2) STORED);\nALTER TABLE t ALTER COLUMN g SET EXPRESSION AS (a * 3);', 17],
    // PostgreSQL rejects the statement there: unsupported-on-target-version reports it, not a rewrite.
    ['PostgreSQL 16, which has no SET EXPRESSION', SET_EXPRESSION, 16],
    ['DROP EXPRESSION, which keeps the stored values', 'ALTER TABLE orders ALTER COLUMN total_cents DROP EXPRESSION;', 17],
    ['a new default, not an expression', 'ALTER TABLE orders ALTER COLUMN total_cents SET DEFAULT 0;', 17],
  ])('stays quiet: %s', (_name, sql, pgVersion) => {
    expect(findings(sql, pgVersion)).toEqual([]);
  });

  it('is the only rule that fires, apart from the target-version check', () => {
    expect(lintWithoutHygiene(SET_EXPRESSION, { pgVersion: 17 }).map((finding) => finding.ruleId)).toEqual([RULE]);
    expect(lintWithoutHygiene(SET_EXPRESSION, { pgVersion: 16 }).map((finding) => finding.ruleId)).toEqual(['unsupported-on-target-version']);
  });
});
