import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'detach-partition-without-concurrently';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
const ruleIds = (sql: string) => lint(sql).map((finding) => finding.ruleId).filter((id) => !id.startsWith('missing-'));

describe(RULE, () => {
  it.each([
    ['plain', 'ALTER TABLE events DETACH PARTITION events_2019;', 'ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;'],
    ['qualified, quoted', 'ALTER TABLE app.events DETACH PARTITION app."Events 2019";', 'ALTER TABLE app.events DETACH PARTITION app."Events 2019" CONCURRENTLY;'],
  ])('PG 14+: an error, fixed by adding CONCURRENTLY (%s)', (_name, sql, fixed) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on .*events \(the partitioned table\)/);
    expect(finding!.lock?.mode).toBe('ACCESS EXCLUSIVE');
    const [fix] = finding!.fixes;
    expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
    const result = applyFix(sql, fix!);
    expect(result).toBe(fixed);
    expect(ruleIds(result)).toEqual([]);
  });

  it('underlines the DETACH PARTITION clause', () => {
    const sql = 'ALTER TABLE events DETACH PARTITION events_2019;';
    expect(textOf(sql, findings(sql)[0]!)).toBe('DETACH PARTITION events_2019');
  });

  it('inside BEGIN … COMMIT moves the concurrent detach after COMMIT', () => {
    const sql = 'BEGIN;\nALTER TABLE events DETACH PARTITION events_2019;\nDROP TABLE events_2019_copy;\nCOMMIT;\n';
    const [finding] = findings(sql);
    const result = applyFix(sql, finding!.fixes[0]!);
    expect(result).toBe('BEGIN;\nDROP TABLE events_2019_copy;\nCOMMIT;\n\nALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;\n');
    expect(ruleIds(result)).not.toContain('concurrently-in-transaction');
    expect(ruleIds(result)).not.toContain(RULE);
  });

  it('when the migration tool wraps the file, gives no fix and says how to opt out', () => {
    const [finding] = findings('-- migrate:up\nUPDATE settings SET v = 1 WHERE k = 2;\nALTER TABLE events DETACH PARTITION events_2019;\n');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/dbmate/);
  });

  it('before PostgreSQL 14: a warning with no fix, saying CONCURRENTLY does not exist yet', () => {
    const [finding] = findings('ALTER TABLE events DETACH PARTITION events_2019;', 13);
    expect(finding!.severity).toBe('warning');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.message).toMatch(/PostgreSQL 13 has no DETACH … CONCURRENTLY/);
    expect(finding!.noFixReason).toMatch(/needs PostgreSQL 14/);
  });

  it.each([
    ['already concurrent', 'ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;'],
    ['finalize', 'ALTER TABLE events DETACH PARTITION events_2019 FINALIZE;'],
    ['parent created in the file', 'CREATE TABLE events (id int) PARTITION BY RANGE (id);\nCREATE TABLE e1 PARTITION OF events FOR VALUES FROM (1) TO (2);\nALTER TABLE events DETACH PARTITION e1;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });
});
