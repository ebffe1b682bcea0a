import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'prefer-jsonb';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('info on a json column of a new table, with an automatic fix', () => {
    const sql = 'CREATE TABLE e (payload json NOT NULL, h JSON[]);';
    const all = findings(sql);
    expect(all.map((finding) => [finding.severity, textOf(sql, finding)])).toEqual([
      ['info', 'json'],
      ['info', 'JSON[]'],
    ]);
    expect(all[0]!.message).toContain('e.payload is json: it has no equality operator');
    expect(all[0]!.fixes[0]).toMatchObject({ title: 'Use jsonb', autoApplicable: true });
    expect(applyFix(sql, all[1]!.fixes[0]!)).toBe('CREATE TABLE e (payload json NOT NULL, h jsonb[]);');
  });

  it('offers but does not auto-apply the fix on an existing table', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN meta json;')[0]!.fixes[0]).toMatchObject({ autoApplicable: false });
    expect(findings('ALTER TABLE orders ALTER COLUMN meta TYPE json;')[0]!.fixes[0]).toMatchObject({ autoApplicable: false });
  });

  it('is quiet for jsonb', () => {
    expect(findings('CREATE TABLE e (payload jsonb);\nALTER TABLE e ADD COLUMN h jsonb[];')).toEqual([]);
  });
});
