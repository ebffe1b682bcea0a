import { describe, expect, it } from 'vitest';
import { findingsOf, lint, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'alter-column-type';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  describe('errors on changes that rewrite whatever the current type', () => {
    it.each([
      ['int → bigint', 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;', 'ALTER COLUMN id TYPE bigint', /every value is converted to int8/],
      ['USING', 'ALTER TABLE orders ALTER COLUMN total TYPE numeric USING total * 100;', 'ALTER COLUMN total TYPE numeric USING total * 100', /USING expression is evaluated for every row/],
      ['jsonb', 'ALTER TABLE orders ALTER payload SET DATA TYPE jsonb, ALTER note DROP DEFAULT;', 'ALTER payload SET DATA TYPE jsonb', /converted to jsonb/],
      ['timestamptz (most likely from timestamp)', 'ALTER TABLE orders ALTER created_at TYPE timestamptz USING created_at;', 'ALTER created_at TYPE timestamptz USING created_at', /from timestamp, every value is converted \(on PostgreSQL 12\+ in a UTC session, every index on the column is rebuilt instead\)/],
    ])('%s', (_name, sql, underlined, why) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toBe(underlined);
      expect(finding!.message).toMatch(why);
      expect(finding!.message).toMatch(/rewrites orders and rebuilds all its indexes under an ACCESS EXCLUSIVE lock/);
      expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE' });
      expect(finding!.noFixReason).toMatch(/several steps/);
    });
  });

  describe('warns, naming the free sources, when the migration does not show the current type', () => {
    it.each([
      ['ALTER TABLE orders ALTER COLUMN note TYPE varchar(255);', 'varchar(n) with n ≤ 255'],
      ['ALTER TABLE orders ALTER COLUMN note TYPE text;', 'varchar or varchar(n)'],
      ['ALTER TABLE orders ALTER COLUMN price TYPE numeric(12,2);', 'numeric(p,2) with p ≤ 12'],
      ['ALTER TABLE orders ALTER COLUMN note TYPE text USING note::text;', 'varchar or varchar(n)'],
      ['ALTER TABLE orders ALTER COLUMN note TYPE varchar(40) USING "note";', 'varchar(n) with n ≤ 40'],
    ])('%s', (sql, sources) => {
      const [finding] = findings(sql);
      expect(finding!.severity).toBe('warning');
      expect(finding!.message).toContain(`catalog-only if the column is currently ${sources}`);
      expect(finding!.message).toMatch(/from any other type PostgreSQL rewrites orders/);
    });
  });

  describe('uses the type the file declared for the column', () => {
    it.each([
      ['varchar widening', 'ALTER TABLE orders ADD COLUMN note varchar(10);\nALTER TABLE orders ALTER COLUMN note TYPE varchar(20);'],
      ['varchar → text', 'ALTER TABLE orders ADD COLUMN note varchar(10);\nALTER TABLE orders ALTER COLUMN note TYPE text;'],
      ['numeric precision', 'ALTER TABLE orders ADD COLUMN price numeric(10,2);\nALTER TABLE orders ALTER COLUMN price TYPE numeric(14,2);'],
      ['cidr → inet', 'ALTER TABLE hosts ADD COLUMN net cidr;\nALTER TABLE hosts ALTER COLUMN net TYPE inet;'],
      ['a chain of widenings', 'ALTER TABLE t ADD c varchar(5);\nALTER TABLE t ALTER c TYPE varchar(10);\nALTER TABLE t ALTER c TYPE varchar(20);'],
      ['USING that only casts the column', 'ALTER TABLE t ADD c varchar(5);\nALTER TABLE t ALTER c TYPE text USING c::text;'],
    ])('binary-coercible, not flagged: %s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('errors on narrowing, naming both types', () => {
      const [finding] = findings('ALTER TABLE orders ADD COLUMN note varchar(20);\nALTER TABLE orders ALTER COLUMN note TYPE varchar(10);');
      expect(finding!.severity).toBe('error');
      expect(finding!.message).toMatch(/varchar\(20\) → varchar\(10\) converts every value/);
    });

    it('warns for timestamp → timestamptz on PostgreSQL 12+ (free of a rewrite only in a UTC session), errors before', () => {
      const sql = 'ALTER TABLE orders ADD COLUMN at timestamp;\nALTER TABLE orders ALTER COLUMN at TYPE timestamptz;';
      const [recent] = findings(sql, 12);
      expect(recent!.severity).toBe('warning');
      expect(recent!.message).toMatch(/unless the session's TimeZone is UTC; even then every index on the column is rebuilt/);
      expect(findings(sql, 11)[0]!.severity).toBe('error');
    });

    it('does not mix up columns or tables', () => {
      expect(findings('ALTER TABLE orders ADD COLUMN a varchar(10);\nALTER TABLE orders ALTER COLUMN b TYPE varchar(20);')[0]!.severity).toBe('warning');
      expect(findings('ALTER TABLE other ADD COLUMN a varchar(10);\nALTER TABLE orders ALTER COLUMN a TYPE varchar(20);')[0]!.severity).toBe('warning');
    });
  });

  it('warns that a new collation rebuilds the column\'s indexes', () => {
    const [finding] = findings('ALTER TABLE orders ALTER COLUMN note TYPE text COLLATE "C";');
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toMatch(/collation rebuilds every index on the column/);
  });

  it('ignores ALTER TYPE … ALTER ATTRIBUTE of a composite type (no table data)', () => {
    expect(findings('ALTER TYPE address ALTER ATTRIBUTE zip TYPE varchar(20);')).toEqual([]);
  });

  it('exempts tables created earlier in the file', () => {
    expect(findings('CREATE TABLE t (id int);\nALTER TABLE t ALTER COLUMN id TYPE bigint;')).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(ruleIds('ALTER TABLE orders ALTER COLUMN id TYPE bigint;')).toEqual([RULE]);
  });
});
