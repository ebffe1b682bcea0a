import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'check-without-not-valid';
const findings = (sql: string) => findingsOf(RULE, sql);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string, options = {}) => lintWithoutHygiene(sql, options).map((finding) => finding.ruleId);

describe(RULE, () => {
  it('flags ADD CONSTRAINT … CHECK, with the lock, and splits it into NOT VALID + VALIDATE', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on orders and scans every row: all reads and writes/);
    expect(finding!.lock?.blocks).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE']));
    expect(textOf(sql, finding!)).toBe('ADD CONSTRAINT orders_total_check CHECK');
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe('ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;');
    expect(ruleIds(fixed)).toEqual([]);
  });

  it.each([
    ['one column: table_col_check', 'ALTER TABLE orders ADD CHECK (total >= 0);', 'orders_total_check'],
    ['several columns: table_check', 'ALTER TABLE orders ADD CHECK (total >= discount);', 'orders_check'],
  ])('names an unnamed constraint as PostgreSQL does (%s)', (_name, sql, name) => {
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe(`${sql.replace('ADD CHECK', `ADD CONSTRAINT ${name} CHECK`).replace(');', ') NOT VALID;')}\nALTER TABLE orders VALIDATE CONSTRAINT ${name};`);
  });

  it('flags an inline CHECK of ADD COLUMN', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text CHECK (length(note) < 100);';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('CHECK');
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe(
      'ALTER TABLE orders ADD COLUMN note text, ADD CONSTRAINT orders_note_check CHECK (length(note) < 100) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_note_check;',
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('inside BEGIN … COMMIT, puts VALIDATE after COMMIT', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);\nCOMMIT;';
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe('BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;\nCOMMIT;\n\nALTER TABLE orders VALIDATE CONSTRAINT c;');
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('reports each CHECK of a statement', () => {
    expect(findings('ALTER TABLE orders ADD CHECK (a > 0), ADD CHECK (b > 0);')).toHaveLength(2);
  });

  it.each([
    ['NOT VALID', 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT VALID;'],
    ['NOT ENFORCED (PostgreSQL 18)', 'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0) NOT ENFORCED;'],
    ['table created earlier in the file', 'CREATE TABLE orders (total int);\nALTER TABLE orders ADD CHECK (total >= 0);'],
    ['CREATE TABLE with CHECK', 'CREATE TABLE orders (total int CHECK (total >= 0));'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('is the only rule reporting the plain case', () => {
    expect(ruleIds('ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0);')).toEqual([RULE]);
  });
});

// Accuracy round 7 #15 (supabase-storage 0062-object-versioning-core.sql): NOT VALID goes in place inside a DO block;
// only VALIDATE has to run later. The general DO-block reason (move it out, CONCURRENTLY) does not apply.
describe(`${RULE}: a CHECK a DO block adds`, () => {
  const DO_BLOCK = "DO $$ BEGIN\n  ALTER TABLE b ADD CONSTRAINT b_s_check CHECK (s = 'X');\nEND $$;\n";
  const FIRST = "-- postgres-migrations disable-transaction\nCREATE TABLE b (s text NOT NULL DEFAULT 'X');\n";
  const postgresMigrations = {
    filePath: 'migrations/2-b.sql',
    listSiblings: () => ['1-a.sql', '2-b.sql'],
    readSibling: (name: string) => (name === '1-a.sql' ? FIRST : undefined),
  };

  it('says to add NOT VALID in the block and VALIDATE in the next migration, without sending it out of the block', () => {
    const [finding] = findingsOf(RULE, DO_BLOCK, postgresMigrations);
    expect(textOf(DO_BLOCK, finding!)).toBe('ADD CONSTRAINT b_s_check CHECK');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toBe(
      'This statement runs inside a DO block, which Lockguard does not rewrite: add NOT VALID to the constraint where it stands in the block, ' +
        'and run ALTER TABLE b VALIDATE CONSTRAINT b_s_check in the next migration, outside this transaction.',
    );
    expect(finding!.noFixReason).not.toMatch(/CONCURRENTLY|move it out/);
  });

  it('in autocommit, VALIDATE goes right after the DO statement; an inline CHECK becomes an ADD CONSTRAINT', () => {
    const sql = 'DO $$ BEGIN\n  ALTER TABLE orders ADD COLUMN total int DEFAULT 0 CHECK (total >= 0);\nEND $$;\n';
    expect(findingsOf(RULE, sql)[0]!.noFixReason).toBe(
      'This statement runs inside a DO block, which Lockguard does not rewrite: add the constraint as an ADD CONSTRAINT … NOT VALID of the same statement ' +
        '(a column constraint cannot be NOT VALID) where it stands in the block, and run ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check ' +
        'right after the DO statement (the block commits when it ends).',
    );
  });

  it('leaves the concurrent-index rules their own reason', () => {
    const sql = 'DO $$ BEGIN\n  CREATE INDEX orders_status_idx ON orders (status);\nEND $$;\n';
    expect(findingsOf('create-index-without-concurrently', sql)[0]!.noFixReason).toMatch(/^This statement runs inside a DO block: move it out of the block to rewrite it .*CONCURRENTLY cannot run/);
  });
});
