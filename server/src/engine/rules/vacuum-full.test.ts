import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'vacuum-full';
const findings = (sql: string) => findingsOf(RULE, sql);
const ruleIds = (sql: string) => lint(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  describe('flags VACUUM FULL on a table in use, without a fix', () => {
    it.each([
      ['keyword form', 'VACUUM FULL orders;', 'VACUUM FULL'],
      ['with ANALYZE and columns', 'vacuum full verbose analyze orders (status);', 'vacuum full'],
      ['option list', 'VACUUM (ANALYZE, FULL) orders;', 'VACUUM (ANALYZE, FULL'],
      ['option list, switched on', 'VACUUM (FULL on) orders;', 'VACUUM (FULL'],
    ])('%s', (_name, sql, underlined) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toBe(underlined);
      expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'orders' }, blocks: expect.arrayContaining(['SELECT', 'INSERT']) });
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/pg_repack/);
      expect(finding!.noFixReason).toMatch(/REPACK \(CONCURRENTLY\), planned for PostgreSQL 19 \(in development\)/);
    });
  });

  it('says what waits, the disk cost and the alternatives', () => {
    const [finding] = findings('VACUUM FULL orders, app.customers;');
    expect(finding!.message).toMatch(/rewrites orders, app\.customers .*ACCESS EXCLUSIVE lock: every read and write waits/);
    expect(finding!.message).toMatch(/second copy/);
    expect(finding!.message).toMatch(/plain VACUUM/);
    expect(finding!.message).toMatch(/pg_repack/);
  });

  it('flags VACUUM FULL of the whole database', () => {
    const [finding] = findings('VACUUM FULL;');
    expect(finding!.message).toMatch(/every table of the database/);
    expect(finding!.lock).toBeUndefined();
  });

  describe('stays quiet on what does not block', () => {
    it.each([
      ['plain VACUUM', 'VACUUM orders;'],
      ['VACUUM ANALYZE', 'VACUUM (ANALYZE) orders;'],
      ['ANALYZE', 'ANALYZE orders;'],
      ['FULL switched off', 'VACUUM (FULL false) orders;'],
      ['FULL 0', 'VACUUM (FULL 0) orders;'],
      ['table created in the file', 'CREATE TABLE scratch (a int);\nVACUUM FULL scratch;'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('flags only the tables in use', () => {
      const [finding] = findings('CREATE TABLE scratch (a int);\nVACUUM FULL scratch, orders;');
      expect(finding!.message).toMatch(/rewrites orders into/);
    });
  });

  it('leaves "cannot run inside a transaction block" to concurrently-in-transaction', () => {
    const sql = 'BEGIN;\nVACUUM FULL orders;\nCOMMIT;';
    expect(ruleIds(sql).sort()).toEqual(['concurrently-in-transaction', RULE]);
    expect(findings(sql)[0]!.message).not.toMatch(/transaction/);
    expect(ruleIds('BEGIN;\nVACUUM orders;\nCOMMIT;')).toEqual(['concurrently-in-transaction']);
  });
});
