import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'set-logged-unlogged';
const findings = (sql: string) => findingsOf(RULE, sql);
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  it.each([
    ['SET LOGGED', 'ALTER TABLE import_rows SET LOGGED;', 'SET LOGGED', /written to the WAL/],
    ['SET UNLOGGED', 'ALTER TABLE IF EXISTS app.import_rows SET UNLOGGED;', 'SET UNLOGGED', /emptied after a crash/],
  ])('flags %s', (_name, sql, underlined, detail) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe(underlined);
    expect(finding!.message).toMatch(/rewrites (app\.)?import_rows and rebuilds all its indexes under an ACCESS EXCLUSIVE lock/);
    expect(finding!.message).toMatch(detail);
    expect(finding!.noFixReason).toMatch(/no online form/);
  });

  it('ignores sequences (one row, no table rewrite) and composite types', () => {
    expect(findings('ALTER SEQUENCE orders_id_seq SET UNLOGGED;')).toEqual([]);
  });

  it('exempts tables created earlier in the file', () => {
    expect(findings('CREATE UNLOGGED TABLE t (id int);\nALTER TABLE t SET LOGGED;')).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(ruleIds('ALTER TABLE import_rows SET LOGGED;')).toEqual([RULE]);
  });
});
