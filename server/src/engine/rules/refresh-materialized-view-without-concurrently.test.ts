import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'refresh-materialized-view-without-concurrently';
const findings = (sql: string) => findingsOf(RULE, sql);
const ruleIds = (sql: string) => lint(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  describe('flags a plain REFRESH and offers CONCURRENTLY, saying what it needs', () => {
    it.each([
      ['plain', 'REFRESH MATERIALIZED VIEW order_totals;', 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;'],
      ['qualified, WITH DATA', 'refresh materialized view app.order_totals with data;', 'refresh materialized view CONCURRENTLY app.order_totals with data;'],
      ['in a transaction: CONCURRENTLY may run there', 'BEGIN;\nREFRESH MATERIALIZED VIEW order_totals;\nCOMMIT;', 'BEGIN;\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\nCOMMIT;'],
    ])('%s', (_name, sql, fixed) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!).toUpperCase()).toBe('REFRESH MATERIALIZED VIEW');
      expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', blocks: expect.arrayContaining(['SELECT']) });
      const [fix] = finding!.fixes;
      // It fails without a suitable unique index, which the file may not show.
      expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
      expect(fix!.title).toMatch(/UNIQUE index/);
      expect(fix!.title).toMatch(/without WHERE/);
      expect(fix!.title).toMatch(/slower overall/);
      const result = applyFix(sql, fix!);
      expect(result).toBe(fixed);
      expect(lint(result)).toEqual([]);
    });
  });

  it('says the view is locked against reads, and what CONCURRENTLY needs and costs', () => {
    const [finding] = findings('REFRESH MATERIALIZED VIEW order_totals;');
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on order_totals/);
    expect(finding!.message).toMatch(/every query on order_totals waits/);
    expect(finding!.message).toMatch(/UNIQUE index on the view that uses only column names and covers all rows \(no WHERE clause\)/);
    expect(finding!.message).toMatch(/slower overall/);
  });

  it('WITH NO DATA: flagged as emptying the view, without a fix (PostgreSQL rejects CONCURRENTLY with it)', () => {
    const sql = 'REFRESH MATERIALIZED VIEW order_totals WITH NO DATA;';
    const [finding] = findings(sql);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/has not been populated/);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/cannot be combined with WITH NO DATA/);
  });

  describe('stays quiet where no one can be blocked', () => {
    it.each([
      ['already concurrent', 'REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;'],
      ['view created earlier in the file', 'CREATE MATERIALIZED VIEW order_totals AS SELECT 1 AS id;\nREFRESH MATERIALIZED VIEW order_totals;'],
      ['created WITH NO DATA, then populated', 'CREATE MATERIALIZED VIEW app.v AS SELECT 1 AS id WITH NO DATA;\nREFRESH MATERIALIZED VIEW v;'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('still flags a view the file creates only later', () => {
      expect(findings('REFRESH MATERIALIZED VIEW v;\nCREATE MATERIALIZED VIEW v AS SELECT 1 AS id;')).toHaveLength(1);
    });
  });

  it('is the only rule that fires, and CONCURRENTLY in a transaction is not reported by anyone', () => {
    expect(ruleIds('BEGIN;\nREFRESH MATERIALIZED VIEW order_totals;\nCOMMIT;')).toEqual([RULE]);
    expect(ruleIds('BEGIN;\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\nCOMMIT;')).toEqual([]);
  });
});
