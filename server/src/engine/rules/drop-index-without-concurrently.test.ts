import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'drop-index-without-concurrently';
const findings = (sql: string) => findingsOf(RULE, sql);
const ruleIds = (sql: string) => lint(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  describe('flags DROP INDEX without CONCURRENTLY and adds it in autocommit', () => {
    it.each([
      ['plain', 'DROP INDEX orders_status_idx;', 'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;'],
      ['if exists, qualified', 'drop index if exists app.orders_status_idx;', 'drop index CONCURRENTLY if exists app.orders_status_idx;'],
      ['quoted, comment inside', 'DROP /* old */ INDEX "Orders_Idx";', 'DROP /* old */ INDEX CONCURRENTLY IF EXISTS "Orders_Idx";'],
      ['restrict', 'DROP INDEX orders_status_idx RESTRICT;', 'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx RESTRICT;'],
    ])('%s', (_name, sql, fixed) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', blocks: expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE']) });
      const [fix] = finding!.fixes;
      expect(fix).toMatchObject({ preferred: true, autoApplicable: true });
      const result = applyFix(sql, fix!);
      expect(result).toBe(fixed);
      expect(lint(result)).toEqual([]);
    });
  });

  it('names the lock, the table it falls on and what waits, and underlines DROP … INDEX', () => {
    const sql = '-- cleanup\nDROP INDEX orders_status_idx;';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('DROP INDEX');
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on the table of orders_status_idx/);
    expect(finding!.message).toMatch(/every read and write/);
    expect(finding!.message).toMatch(/DROP INDEX CONCURRENTLY/);
  });

  it('names the table when the file created the index (on a table it did not create)', () => {
    const sql = 'CREATE INDEX CONCURRENTLY orders_tmp_idx ON orders (status);\nDROP INDEX orders_tmp_idx;';
    const [finding] = findings(sql);
    expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on orders (the table of orders_tmp_idx)');
  });

  describe('explains why there is no fix where DROP INDEX CONCURRENTLY would fail', () => {
    it.each([
      ['several indexes', 'DROP INDEX a_idx, b_idx;', /only one index per statement/],
      ['CASCADE', 'DROP INDEX a_idx CASCADE;', /does not support CASCADE/],
    ])('%s', (_name, sql, reason) => {
      const [finding] = findings(sql);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(reason);
    });
  });

  describe('inside a transaction, CONCURRENTLY must move after COMMIT', () => {
    it('moves the rewritten statement after COMMIT (not auto-applicable: it changes what commits together)', () => {
      const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nDROP INDEX IF EXISTS orders_status_idx;\nCOMMIT;\n';
      const [finding] = findings(sql);
      const [fix] = finding!.fixes;
      expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
      expect(fix!.title).toMatch(/after COMMIT/);
      const result = applyFix(sql, fix!);
      expect(result).toBe('BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n\nDROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;\n');
      expect(ruleIds(result)).not.toContain(RULE);
      expect(ruleIds(result)).not.toContain('concurrently-in-transaction');
    });

    it('gives no fix when the migration tool wraps the file, and says how to opt out', () => {
      const sql = '-- migrate:up\nDROP INDEX orders_status_idx;\n';
      const [finding] = findings(sql);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/dbmate/);
    });
  });

  describe('stays quiet where no one can be blocked', () => {
    it.each([
      ['already concurrent', 'DROP INDEX CONCURRENTLY orders_status_idx;'],
      ['named index of a table created in the file', 'CREATE TABLE t (id int, a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;'],
      ['unnamed index, default name', 'CREATE TABLE t (id int, a int, b int);\nCREATE INDEX ON t (a, b);\nDROP INDEX t_a_b_idx;'],
      ['qualified names', 'CREATE TABLE app.t (a int);\nCREATE INDEX t_a ON app.t (a);\nDROP INDEX app.t_a;'],
      ['primary key of a table created in the file', 'CREATE TABLE t (id int PRIMARY KEY);\nDROP INDEX t_pkey;'],
      ['other object types', 'DROP TABLE orders_old;'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('still flags an index the file created on a table that is in use: the table still gets ACCESS EXCLUSIVE', () => {
      expect(findings('CREATE INDEX CONCURRENTLY i ON orders (a);\nDROP INDEX i;')).toHaveLength(1);
    });

    it('still flags an index dropped before the file creates it, or in another schema', () => {
      expect(findings('DROP INDEX t_a;\nCREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);')).toHaveLength(1);
      expect(findings('CREATE TABLE a.t (x int);\nCREATE INDEX t_x ON a.t (x);\nDROP INDEX b.t_x;')).toHaveLength(1);
    });

    it('flags only the indexes that are in use, and then offers no fix for the list', () => {
      const [finding] = findings('CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a, orders_status_idx;');
      expect(finding!.message).toContain('the table of orders_status_idx');
      expect(finding!.message).not.toContain('t_a');
      expect(finding!.noFixReason).toMatch(/only one index/);
    });
  });

  describe('stays quiet where the drop makes nobody wait who was not waiting already', () => {
    it.each([
      ['the transaction holds ACCESS EXCLUSIVE on the table of an index the file creates again', 'BEGIN;\nALTER TABLE requests ADD COLUMN state text;\nDROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id) WHERE state = \'CREATED\';\nCOMMIT;'],
      ['the transaction holds ACCESS EXCLUSIVE on the table of an index the file created earlier', 'CREATE INDEX CONCURRENTLY orders_tmp ON orders (status);\nBEGIN;\nALTER TABLE orders DROP COLUMN note;\nDROP INDEX orders_tmp;\nCOMMIT;'],
      ['the table was renamed away earlier (the file rebuilds it under its name)', 'ALTER TABLE devices RENAME TO _bkp_devices;\nDROP INDEX IF EXISTS devices_kid_key;\nCREATE TABLE devices (id int, kid text);\nCREATE UNIQUE INDEX devices_kid_key ON devices (kid);'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('still flags it when the earlier lock is on another table, weaker, or released by a COMMIT', () => {
      const drop = 'DROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);';
      expect(findings(`BEGIN;\nALTER TABLE users ADD COLUMN state text;\n${drop}\nCOMMIT;`)).toHaveLength(1);
      expect(findings(`BEGIN;\nCREATE INDEX requests_user ON requests (user_id);\n${drop}\nCOMMIT;`)).toHaveLength(1);
      expect(findings(`BEGIN;\nALTER TABLE requests ADD COLUMN state text;\nCOMMIT;\nBEGIN;\n${drop}\nCOMMIT;`)).toHaveLength(1);
    });

    it('reads the table from the same section only: a down section re-creating the index says nothing about the up section', () => {
      const sql = '-- migrate:up\nALTER TABLE requests ADD COLUMN state text;\nDROP INDEX IF EXISTS created_requests;\n-- migrate:down\nCREATE UNIQUE INDEX created_requests ON requests (user_id);\n';
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.noFixReason).toMatch(/dbmate/);
    });

    it('still flags it when another table was renamed', () => {
      expect(findings('ALTER TABLE users RENAME TO people;\nDROP INDEX IF EXISTS devices_kid_key;\nCREATE UNIQUE INDEX devices_kid_key ON devices (kid);')).toHaveLength(1);
    });
  });

  describe('offers no fix that would move the drop after the re-creation of its index', () => {
    it('in a transaction: says why, instead of moving the drop after COMMIT', () => {
      const sql = 'BEGIN;\nALTER TABLE users ADD COLUMN state text;\nDROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);\nCOMMIT;\n';
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toBe('DROP INDEX');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/^Line 4 creates an index named created_requests again/);
      expect(finding!.noFixReason).toMatch(/CREATE INDEX CONCURRENTLY/);
    });

    it('in a migration tool\'s transaction: says why, instead of a new migration', () => {
      const [finding] = findings('-- migrate:up\nDROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);\n');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/^Line 3 creates an index named created_requests again/);
    });

    it('in autocommit the in-place fix keeps the order, so it is still offered', () => {
      const sql = 'DROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);';
      const [fix] = findings(sql)[0]!.fixes;
      expect(applyFix(sql, fix!)).toBe('DROP INDEX CONCURRENTLY IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);');
    });
  });

  it('is the only rule that fires on a plain DROP INDEX, in or out of a transaction', () => {
    expect(ruleIds('DROP INDEX orders_status_idx;')).toEqual([RULE]);
    expect(ruleIds('BEGIN;\nDROP INDEX orders_status_idx;\nCOMMIT;')).toEqual([RULE]);
  });
});
