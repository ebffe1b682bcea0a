import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'alter-column-type';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));
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

  describe('timestamp → timestamptz after the file sets the session to UTC (PostgreSQL 12+: no rewrite)', () => {
    const declared = 'ALTER TABLE orders ADD COLUMN at timestamp;\n';
    const change = 'ALTER TABLE orders ALTER COLUMN at TYPE timestamptz;';

    it.each([["SET TIME ZONE 'UTC';"], ["SET timezone = 'Etc/UTC';"], ["SET LOCAL timezone TO 'utc';"], ["SELECT set_config('TimeZone', 'UTC', false);"]])('%s: info on an unindexed column, pointing at the SET', (set) => {
      const sql = `${set}\n${declared}${change}`;
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('info');
      expect(textOf(sql, finding!)).toBe('ALTER COLUMN at TYPE timestamptz');
      expect(finding!.message).toMatch(/in a UTC session \(set earlier in this file\): PostgreSQL keeps orders's rows as they are \(no rewrite\)/);
      expect(finding!.message).toMatch(/without an index on the column the change is catalog-only/);
      expect(finding!.related.map((related) => sql.slice(related.range.start, related.range.end))).toEqual([set.slice(0, -1)]);
    });

    it('a warning when the file creates an index on the column (it is rebuilt)', () => {
      const sql = `SET TIME ZONE 'UTC';\n${declared}CREATE INDEX CONCURRENTLY orders_at_idx ON orders (at);\n${change}`;
      const [finding] = findings(sql);
      expect(finding!.severity).toBe('warning');
      expect(finding!.message).toMatch(/the migrations create one/);
    });

    it('knows the type and the indexes from the earlier migrations of the set', () => {
      const sql = `SET TIME ZONE 'UTC';\n${change}`;
      expect(findingsOf(RULE, sql, { priorSchema: priorSchemaOf('CREATE TABLE orders (id int, at timestamp);') })[0]!.severity).toBe('info');
      const indexed = priorSchemaOf('CREATE TABLE orders (id int, at timestamp);\nCREATE INDEX orders_at_idx ON orders (at);');
      expect(findingsOf(RULE, sql, { priorSchema: indexed })[0]!.severity).toBe('warning');
    });

    it('a warning, naming timestamp, when the current type is not in the file', () => {
      const [finding] = findings(`SET TIME ZONE 'UTC';\n${change}`);
      expect(finding!.severity).toBe('warning');
      expect(finding!.message).toMatch(/keeps orders's rows if the column is currently timestamp/);
    });

    it('an error when the session is set to another zone, reset, or a USING expression converts the values', () => {
      expect(findings(`SET TIME ZONE 'Europe/London';\n${declared}${change}`)[0]!.severity).toBe('error');
      expect(findings(`SET TIME ZONE 'UTC';\nRESET timezone;\n${change}`)[0]!.severity).toBe('error');
      expect(findings(`SET TIME ZONE 'UTC';\nALTER TABLE orders ALTER COLUMN at TYPE timestamptz USING at AT TIME ZONE 'UTC';`)[0]!.severity).toBe('error');
      // SET LOCAL ends with its transaction.
      expect(findings(`BEGIN;\nSET LOCAL TIME ZONE 'UTC';\nCOMMIT;\n${declared}${change}`)[0]!.severity).toBe('warning');
    });

    it('still rewrites before PostgreSQL 12', () => {
      expect(findings(`SET TIME ZONE 'UTC';\n${declared}${change}`, 11)[0]!.severity).toBe('error');
      expect(findings(`SET TIME ZONE 'UTC';\n${change}`, 11)[0]!.severity).toBe('error');
    });
  });

  it('is the only rule that fires', () => {
    expect(ruleIds('ALTER TABLE orders ALTER COLUMN id TYPE bigint;')).toEqual([RULE]);
  });
});

// Review round 5 #10 (flyway-marquez V73): USING col AT TIME ZONE 'UTC' from timestamp is what the bare type change
// does in a UTC session, and that form keeps the rows on PostgreSQL 12+.
describe(`${RULE}: timestamp → timestamptz USING col AT TIME ZONE 'UTC'`, () => {
  const change = (using: string) => `ALTER TABLE jobs ALTER COLUMN created_at TYPE timestamptz USING ${using};`;
  const fromTimestamp = { priorSchema: priorSchemaOf('CREATE TABLE jobs (id int, created_at timestamp);'), pgVersion: 15 };

  it.each([["created_at AT TIME ZONE 'UTC'"], ["timezone('utc', created_at)"], ["pg_catalog.timezone('Etc/UTC', created_at)"]])(
    '%s: an error about the rewrite that says how to avoid it',
    (using) => {
      const [finding, ...others] = findingsOf(RULE, change(using), fromTimestamp);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(finding!.message).toContain('the USING expression is evaluated for every row');
      expect(finding!.message).toContain("drop the USING and set the session's TimeZone to 'UTC' first");
      expect(finding!.noFixReason).not.toContain('No statement converts the column');
    },
  );

  it('says nothing of the UTC way for another zone, another source type, or before PostgreSQL 12', () => {
    const advice = "set the session's TimeZone to 'UTC'";
    expect(findingsOf(RULE, change("created_at AT TIME ZONE 'Europe/Paris'"), fromTimestamp)[0]!.message).not.toContain(advice);
    const fromDate = { priorSchema: priorSchemaOf('CREATE TABLE jobs (id int, created_at date);'), pgVersion: 15 };
    expect(findingsOf(RULE, change("created_at AT TIME ZONE 'UTC'"), fromDate)[0]!.message).not.toContain(advice);
    expect(findingsOf(RULE, change("created_at AT TIME ZONE 'UTC'"), { ...fromTimestamp, pgVersion: 11 })[0]!.message).not.toContain(advice);
  });
});
