import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'cluster';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it.each([
    ['USING index', 'CLUSTER orders USING orders_created_at_idx;'],
    ['previously chosen index', 'cluster app.orders;'],
    ['old syntax', 'CLUSTER orders_created_at_idx ON orders;'],
    ['VERBOSE', 'CLUSTER VERBOSE orders;'],
  ])('flags CLUSTER on a table in use, without a fix: %s', (_name, sql) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!).toUpperCase()).toBe('CLUSTER');
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'orders' }, blocks: expect.arrayContaining(['SELECT', 'INSERT']) });
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock: every read and write on (app\.)?orders waits/);
    expect(finding!.message).toMatch(/pg_repack --order-by/);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/pg_repack --order-by/);
  });

  it('flags CLUSTER of every previously clustered table', () => {
    const [finding] = findings('CLUSTER;');
    expect(finding!.message).toMatch(/every table of the database that was clustered before/);
  });

  it.each([
    ['table created in the file', 'CREATE TABLE t (id int PRIMARY KEY);\nCLUSTER t USING t_pkey;'],
    ['ALTER TABLE … CLUSTER ON only records the index', 'ALTER TABLE orders CLUSTER ON orders_pkey;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(lintWithoutHygiene('CLUSTER orders USING orders_pkey;').map((finding) => finding.ruleId)).toEqual([RULE]);
  });
});
