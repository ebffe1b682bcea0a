import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'reindex-without-concurrently';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
const ruleIds = (sql: string) => lint(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  describe('flags REINDEX without CONCURRENTLY and adds it on PostgreSQL 12+', () => {
    it.each([
      ['index', 'REINDEX INDEX orders_status_idx;', 'REINDEX INDEX CONCURRENTLY orders_status_idx;', 'REINDEX INDEX'],
      ['table', 'reindex table app.orders;', 'reindex table CONCURRENTLY app.orders;', 'reindex table'],
      ['option list', 'REINDEX (VERBOSE) TABLE orders;', 'REINDEX (VERBOSE) TABLE CONCURRENTLY orders;', 'REINDEX (VERBOSE) TABLE'],
      ['concurrently switched off', 'REINDEX (CONCURRENTLY false) TABLE orders;', 'REINDEX (CONCURRENTLY false) TABLE CONCURRENTLY orders;', 'REINDEX (CONCURRENTLY false) TABLE'],
      ['schema', 'REINDEX SCHEMA app;', 'REINDEX SCHEMA CONCURRENTLY app;', 'REINDEX SCHEMA'],
      ['database', 'REINDEX DATABASE shop;', 'REINDEX DATABASE CONCURRENTLY shop;', 'REINDEX DATABASE'],
    ])('%s', (_name, sql, fixed, underlined) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toBe(underlined);
      const [fix] = finding!.fixes;
      // CONCURRENTLY refuses or skips exclusion-constraint indexes and can leave an invalid index: never applied blindly.
      expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
      const result = applyFix(sql, fix!);
      expect(result).toBe(fixed);
      expect(lint(result)).toEqual([]);
    });
  });

  it('REINDEX INDEX: ACCESS EXCLUSIVE on the index, and says reads wait too', () => {
    const [finding] = findings('REINDEX INDEX orders_status_idx;');
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'orders_status_idx' } });
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on orders_status_idx and a SHARE lock on the table of orders_status_idx/);
    expect(finding!.message).toMatch(/every read and write waits/);
  });

  it('REINDEX TABLE: SHARE on the table, yet reads are blocked as measured (the planner opens the locked indexes)', () => {
    const [finding] = findings('REINDEX TABLE orders;');
    expect(finding!.lock).toMatchObject({ mode: 'SHARE', relation: { name: 'orders' } });
    expect(finding!.lock!.blocks).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE']));
    expect(finding!.message).toMatch(/SHARE lock on orders and an ACCESS EXCLUSIVE lock on each index/);
  });

  it('leaves REINDEX SYSTEM, which has no CONCURRENTLY form, to reindex-system', () => {
    expect(findings('REINDEX SYSTEM;')).toEqual([]);
    expect(findingsOf('reindex-system', 'REINDEX SYSTEM;')).toHaveLength(1);
  });

  it.each([['REINDEX TABLE pg_class;'], ['REINDEX INDEX pg_catalog.pg_class_oid_index;'], ['REINDEX TABLE pg_toast.pg_toast_2619;']])(
    'system catalogs: flagged, no fix (they cannot be reindexed concurrently): %s',
    (sql) => {
      const [finding] = findings(sql);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/cannot reindex system catalogs concurrently/);
      expect(finding!.message).not.toMatch(/Use REINDEX/);
    },
  );

  describe('before PostgreSQL 12 there is no REINDEX CONCURRENTLY', () => {
    it.each([['REINDEX INDEX orders_status_idx;'], ['REINDEX TABLE orders;'], ['REINDEX SCHEMA app;']])('%s: flagged, no fix, and the manual route', (sql) => {
      const [finding] = findings(sql, 11);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/needs PostgreSQL 12 or later \(this project targets 11\)/);
      expect(finding!.noFixReason).toMatch(/CREATE INDEX CONCURRENTLY/);
      expect(finding!.message).not.toMatch(/Use REINDEX/);
    });

    it('offers the fix from 12 on', () => {
      expect(findings('REINDEX TABLE orders;', 12)[0]!.fixes).toHaveLength(1);
    });
  });

  describe('inside a transaction the fix moves after COMMIT', () => {
    it('explicit BEGIN … COMMIT', () => {
      const sql = 'BEGIN;\nUPDATE settings SET v = 1 WHERE k = 2;\nREINDEX TABLE orders;\nCOMMIT;\n';
      const [finding] = findings(sql);
      const result = applyFix(sql, finding!.fixes[0]!);
      expect(result).toBe('BEGIN;\nUPDATE settings SET v = 1 WHERE k = 2;\nCOMMIT;\n\nREINDEX TABLE CONCURRENTLY orders;\n');
      expect(ruleIds(result)).toEqual([]);
    });

    it('implicit (migration tool), the only statement: rebuilt in place, the file run outside the transaction', () => {
      const sql = '-- migrate:up\nREINDEX INDEX orders_status_idx;\n';
      const [finding] = findings(sql);
      const result = applyFix(sql, finding!.fixes[0]!);
      expect(result).toBe('-- migrate:up transaction:false\nREINDEX INDEX CONCURRENTLY orders_status_idx;\n');
      expect(ruleIds(result)).toEqual([]);
    });

    it('implicit (migration tool), beside other statements: no fix, the tool opt-out', () => {
      const [finding] = findings('-- migrate:up\nUPDATE settings SET v = 1 WHERE k = 2;\nREINDEX INDEX orders_status_idx;\n');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/dbmate/);
    });
  });

  describe('stays quiet where no one can be blocked', () => {
    it.each([
      ['already concurrent', 'REINDEX INDEX CONCURRENTLY orders_status_idx;'],
      ['concurrent option list', 'REINDEX (CONCURRENTLY) TABLE orders;'],
      ['table created in the file', 'CREATE TABLE t (a int);\nREINDEX TABLE t;'],
      ['index of a table created in the file', 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nREINDEX INDEX t_a;'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });
  });

  // lemmy 2025-08-01-000041_remove-aggregate-tables/up.sql: the REINDEX repairs indexes that missed the bulk UPDATE.
  it('stays quiet for a REINDEX that repairs indexes the file switched off in pg_index', () => {
    const switched = (value: string, table: string) => `UPDATE pg_index SET indisready = ${value} WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = '${table}');\n`;
    const sql = `BEGIN;\n${switched('FALSE', 'person')}UPDATE person SET post_count = 0;\n${switched('TRUE', 'person')}REINDEX TABLE person;\nREINDEX TABLE post;\nCOMMIT;\n`;
    // Only the other table's REINDEX is reported: the trick touched person's indexes, not post's.
    expect(findings(sql).map((finding) => finding.message)).toEqual([expect.stringContaining('SHARE lock on post')]);
    expect(findings(`BEGIN;\nUPDATE pg_catalog.pg_index SET indisvalid = true WHERE indexrelid = 'person_name_idx'::regclass;\nREINDEX INDEX person_name_idx;\nCOMMIT;\n`)).toEqual([]);
  });

  it('does not double-report with concurrently-in-transaction', () => {
    expect(ruleIds('REINDEX TABLE orders;')).toEqual([RULE]);
    expect(ruleIds('BEGIN;\nREINDEX TABLE CONCURRENTLY orders;\nCOMMIT;')).toEqual(['concurrently-in-transaction']);
  });
});
