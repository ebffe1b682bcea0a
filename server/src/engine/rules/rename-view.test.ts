import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'rename-view';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('is an error: the running code uses the old name', () => {
    const sql = 'ALTER VIEW active_customers RENAME TO active_clients;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('RENAME TO active_clients');
    expect(finding!.message).toContain('Renaming the view active_customers to active_clients breaks the application running now');
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'active_customers' } });
  });

  it('reports a materialized view, by its kind', () => {
    expect(findings('ALTER MATERIALIZED VIEW monthly_totals RENAME TO totals_by_month;')[0]!.message).toMatch(/^Renaming the materialized view monthly_totals/);
  });

  it.each([
    ['created earlier in the file', 'CREATE VIEW v AS SELECT 1;\nALTER VIEW v RENAME TO w;'],
    ['the old name kept as a view', 'ALTER VIEW v RENAME TO w;\nCREATE VIEW v AS SELECT * FROM w;'],
  ])('stays quiet when %s', (_case, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('does not report a name an earlier rename of the file gave (only that rename breaks running code)', () => {
    expect(findings('ALTER VIEW x RENAME TO v;\nALTER VIEW v RENAME TO w;').map((finding) => finding.statementIndex)).toEqual([0]);
  });

  it('leaves ALTER TABLE … RENAME to rename-table, which no longer reports a view the file created', () => {
    expect(findings('ALTER TABLE v RENAME TO w;')).toEqual([]);
    expect(findingsOf('rename-table', 'CREATE VIEW v AS SELECT 1;\nALTER TABLE v RENAME TO w;')).toEqual([]);
    expect(findingsOf('rename-table', 'ALTER TABLE v RENAME TO w;')).toHaveLength(1);
  });
});
