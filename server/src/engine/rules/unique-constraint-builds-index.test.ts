import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'unique-constraint-builds-index';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string, options = {}) => lintWithoutHygiene(sql, options).map((finding) => finding.ruleId);

describe(RULE, () => {
  it('flags ADD CONSTRAINT … UNIQUE and rewrites it to CREATE UNIQUE INDEX CONCURRENTLY + USING INDEX', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref);';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/ADD UNIQUE builds a unique index on orders while holding an ACCESS EXCLUSIVE lock on it: all reads and writes wait/);
    expect(textOf(sql, finding!)).toBe('ADD CONSTRAINT orders_ref_key UNIQUE');
    expect(ruleIds(sql)).toEqual([RULE]);
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe('CREATE UNIQUE INDEX CONCURRENTLY orders_ref_key ON orders (ref);\nALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_key;');
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('names an unnamed constraint as PostgreSQL would, for UNIQUE and PRIMARY KEY', () => {
    const unique = 'ALTER TABLE app."Orders" ADD UNIQUE (ref, "Region");';
    expect(applyFix(unique, findings(unique)[0]!.fixes[0]!)).toBe(
      'CREATE UNIQUE INDEX CONCURRENTLY "Orders_ref_Region_key" ON app."Orders" (ref, "Region");\nALTER TABLE app."Orders" ADD CONSTRAINT "Orders_ref_Region_key" UNIQUE USING INDEX "Orders_ref_Region_key";',
    );
    const primary = 'ALTER TABLE orders ADD PRIMARY KEY (id);';
    const [finding] = findings(primary);
    expect(textOf(primary, finding!)).toBe('ADD PRIMARY KEY');
    expect(finding!.fixes[0]!.title).toMatch(/set NOT NULL with a scan/);
    expect(applyFix(primary, finding!.fixes[0]!)).toBe('CREATE UNIQUE INDEX CONCURRENTLY orders_pkey ON orders (id);\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey;');
  });

  it('inside BEGIN … COMMIT, moves both statements after COMMIT', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD CONSTRAINT k UNIQUE (ref);\nCOMMIT;\n';
    const fix = findings(sql)[0]!.fixes[0]!;
    expect(fix.title).toMatch(/after COMMIT/);
    const fixed = applyFix(sql, fix);
    expect(fixed).toBe('BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n\nCREATE UNIQUE INDEX CONCURRENTLY k ON orders (ref);\nALTER TABLE orders ADD CONSTRAINT k UNIQUE USING INDEX k;\n');
    expect(ruleIds(fixed)).toEqual([]);
  });

  it.each([
    ['the migration tool wraps the file', '-- migrate:up\nALTER TABLE orders ADD UNIQUE (ref);\n', /dbmate runs this whole file in one transaction/],
    ['inline in ADD COLUMN', 'ALTER TABLE orders ADD COLUMN ref text UNIQUE;', /Add the column first/],
    ['several subcommands', 'ALTER TABLE orders ADD UNIQUE (ref), ADD COLUMN note text;', /split it/],
    ['INCLUDE', 'ALTER TABLE orders ADD UNIQUE (ref) INCLUDE (note);', /uses INCLUDE/],
    ['DEFERRABLE', 'ALTER TABLE orders ADD UNIQUE (ref) DEFERRABLE;', /uses DEFERRABLE/],
  ])('flags without a fix, saying why, when %s', (_name, sql, reason) => {
    const [finding] = findings(sql);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(reason);
  });

  it.each([
    ['USING INDEX', 'ALTER TABLE orders ADD CONSTRAINT k UNIQUE USING INDEX orders_ref_idx;'],
    ['table created earlier in the file', 'CREATE TABLE orders (ref text);\nALTER TABLE orders ADD UNIQUE (ref);'],
    ['CREATE TABLE with UNIQUE', 'CREATE TABLE orders (ref text UNIQUE);'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });
});
