import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'create-index-without-concurrently';
const findings = (sql: string) => findingsOf(RULE, sql);
const parser = await PostgresParser.load();

describe(RULE, () => {
  describe('flags CREATE INDEX without CONCURRENTLY on a table this file did not create', () => {
    it.each([
      ['plain', 'CREATE INDEX orders_customer_idx ON orders (customer_id);', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_idx ON orders (customer_id);'],
      ['unique', 'CREATE UNIQUE INDEX orders_ref_key ON orders (ref);', 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_ref_key ON orders (ref);'],
      ['if not exists', 'create index if not exists i on orders (a);', 'create index CONCURRENTLY if not exists i on orders (a);'],
      ['unnamed, schema-qualified, quoted', 'CREATE INDEX ON "Sales"."Orders" USING gin (tags);', 'CREATE INDEX CONCURRENTLY ON "Sales"."Orders" USING gin (tags);'],
      ['comment inside', 'CREATE /* why */ INDEX i ON orders (a);', 'CREATE /* why */ INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a);'],
      ['partial, expression', 'CREATE INDEX i ON orders (lower(email)) WHERE deleted_at IS NULL;', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (lower(email)) WHERE deleted_at IS NULL;'],
    ])('%s', (_name, sql, fixed) => {
      const [finding, ...others] = findings(sql);
      expect(others).toHaveLength(0);
      expect(finding!.severity).toBe('error');
      expect(finding!.lock?.mode).toBe('SHARE');
      expect(finding!.lock?.blocks).toEqual(expect.arrayContaining(['INSERT', 'UPDATE', 'DELETE']));
      expect(finding!.lock?.blocks).not.toContain('SELECT');
      const fix = finding!.fixes[0]!;
      expect(fix.preferred).toBe(true);
      const result = applyFix(sql, fix);
      expect(result).toBe(fixed);
      expect(lintWithoutHygiene(result)).toEqual([]);
    });
  });

  it('names the table, the lock and what it blocks, and underlines CREATE … INDEX', () => {
    const sql = '-- add index\nCREATE UNIQUE INDEX idx ON public.orders (id);';
    const [finding] = findings(sql);
    expect(finding!.message).toMatch(/SHARE lock on public\.orders/);
    expect(finding!.message).toMatch(/INSERT, UPDATE and DELETE/);
    expect(finding!.message).toMatch(/CONCURRENTLY/);
    expect(textOf(sql, finding!)).toBe('CREATE UNIQUE INDEX');
  });

  it('says when an earlier statement of the transaction already holds a stronger lock on the table', () => {
    const sql = ['BEGIN;', 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', 'CREATE INDEX orders_status_idx ON orders (status);', 'COMMIT;'].join('\n');
    const [finding] = findings(sql);
    expect(finding!.message).toMatch(/^orders is already locked ACCESS EXCLUSIVE by line 2 of this transaction, so the whole build runs under that lock: every read and write/);
    expect(finding!.message).toMatch(/after that transaction commits/);
    // Without the earlier lock the build's own SHARE lock is what blocks.
    const [alone] = findings('BEGIN;\nCREATE INDEX orders_status_idx ON orders (status);\nCOMMIT;');
    expect(alone!.message).toMatch(/SHARE lock on orders/);
  });

  describe('stays quiet where no one can be blocked', () => {
    it.each([
      ['already concurrent', 'CREATE INDEX CONCURRENTLY i ON orders (a);'],
      ['table created earlier in the file', 'CREATE TABLE orders (id int);\nCREATE INDEX i ON orders (id);'],
      ['created qualified, indexed unqualified', 'CREATE TABLE app.orders (id int);\nCREATE INDEX i ON orders (id);'],
      ['created by CREATE TABLE AS', 'CREATE TABLE report AS SELECT 1 AS id;\nCREATE INDEX i ON report (id);'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('still flags a table created later in the file, or one of the same name in another schema', () => {
      expect(findings('CREATE INDEX i ON orders (id);\nCREATE TABLE orders (id int);')).toHaveLength(1);
      expect(findings('CREATE TABLE a.orders (id int);\nCREATE INDEX i ON b.orders (id);')).toHaveLength(1);
    });
  });

  describe('inside BEGIN … COMMIT, the fix must not create "cannot run inside a transaction block"', () => {
    const sql = ['BEGIN;', 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', 'CREATE INDEX orders_status_idx ON orders (status);', 'COMMIT;', ''].join('\n');

    it('moves the statement after COMMIT, rewritten with CONCURRENTLY', () => {
      const [finding] = findings(sql);
      const fix = finding!.fixes[0]!;
      expect(fix.title).toMatch(/after COMMIT/);
      const result = applyFix(sql, fix);
      expect(result).toBe(
        ['BEGIN;', 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', 'COMMIT;', '', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);', ''].join('\n'),
      );
      // Neither this rule nor "CONCURRENTLY in a transaction" fires on the result.
      expect(lintWithoutHygiene(result)).toEqual([]);
    });

    it('also handles START TRANSACTION … END and a comment after COMMIT', () => {
      const source = 'START TRANSACTION;\nCREATE INDEX i ON orders (a);\nEND; -- done\nSELECT 1;\n';
      const result = applyFix(source, findings(source)[0]!.fixes[0]!);
      expect(result).toBe('START TRANSACTION;\nEND; -- done\n\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a);\nSELECT 1;\n');
      expect(lintWithoutHygiene(result)).toEqual([]);
    });

    it('explains why there is no fix when the file never closes the block', () => {
      const [finding] = findings('BEGIN;\nCREATE INDEX i ON orders (a);\n');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/never closes it/);
    });
  });

  it('places the finding correctly after non-ASCII text', () => {
    const sql = "COMMENT ON TABLE orders IS 'Bestellungen – für 🚀';\nCREATE INDEX i ON orders (a);";
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('CREATE INDEX');
    expect(applyFix(sql, finding!.fixes[0]!)).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a);');
  });
});

// Review round 6 #21 (trigger.dev 20240704170301_scope_idempotency_key_to_task_identifier): a new unique index then
// the drop of the old one is an index swap; moving only the build into a later migration would reverse it.
describe(`${RULE}: an index swap`, () => {
  const priorSchema = schemaAfter(buildStatements('CREATE TABLE "t" ("a" int, "b" int);\nCREATE UNIQUE INDEX "t_a_key" ON "t" ("a");', parser, defaultOptions()));
  const filePath = 'prisma/migrations/20240101000000_swap/migration.sql';

  it('offers no move of the new unique index alone, and says to move both in order', () => {
    const sql = 'CREATE UNIQUE INDEX "t_a_b_key" ON "t"("a", "b");\nDROP INDEX "t_a_key";\n';
    const [finding] = findingsOf(RULE, sql, { filePath, priorSchema });
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/^Line 2 then drops an index or constraint of "?t"?: an index swap\./);
  });

  it('still moves a unique index when nothing of its table is dropped after it', () => {
    const sql = 'CREATE UNIQUE INDEX "t_a_b_key" ON "t"("a", "b");\nALTER TABLE "t" ADD COLUMN "c" int;\n';
    expect(findingsOf(RULE, sql, { filePath, priorSchema })[0]!.fixes).toHaveLength(1);
  });
});
