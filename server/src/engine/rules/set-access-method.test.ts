import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'set-access-method';
const findings = (sql: string) => findingsOf(RULE, sql);
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  it('flags switching the access method of a table in use', () => {
    const sql = 'ALTER TABLE events SET ACCESS METHOD columnar, SET (fillfactor = 90);';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('SET ACCESS METHOD columnar');
    expect(finding!.message).toMatch(/SET ACCESS METHOD columnar rewrites events and rebuilds all its indexes under an ACCESS EXCLUSIVE lock/);
    expect(finding!.noFixReason).toMatch(/no online form/);
  });

  it('exempts tables created earlier in the file', () => {
    expect(findings('CREATE TABLE t (id int);\nALTER TABLE t SET ACCESS METHOD heap;')).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(ruleIds('ALTER TABLE events SET ACCESS METHOD heap;')).toEqual([RULE]);
  });
});
