import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'set-tablespace';
const findings = (sql: string) => findingsOf(RULE, sql);
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  it.each([
    ['a table', 'ALTER TABLE orders SET TABLESPACE fast_ssd;', 'orders'],
    ['an index', 'ALTER INDEX orders_status_idx SET TABLESPACE fast_ssd;', 'orders_status_idx'],
    ['a materialized view', 'ALTER MATERIALIZED VIEW order_totals SET TABLESPACE fast_ssd;', 'order_totals'],
  ])('flags moving %s', (_name, sql, relation) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('SET TABLESPACE fast_ssd');
    expect(finding!.message).toContain(`copies every file of ${relation} under an ACCESS EXCLUSIVE lock`);
    expect(finding!.message).toMatch(/pg_repack --tablespace/);
  });

  it('exempts tables created earlier in the file', () => {
    expect(findings('CREATE TABLE t (id int);\nALTER TABLE t SET TABLESPACE fast_ssd;')).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(ruleIds('ALTER TABLE orders SET TABLESPACE fast_ssd;')).toEqual([RULE]);
  });
});
