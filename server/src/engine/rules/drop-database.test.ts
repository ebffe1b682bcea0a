import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'drop-database';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('is an error naming the database', () => {
    const sql = 'DROP DATABASE IF EXISTS analytics WITH (FORCE);';
    const [finding] = findings(sql);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('DROP DATABASE');
    expect(finding!.message).toContain('removes analytics and all its data');
  });

  it('stays quiet for a database created in the file', () => {
    expect(findings('CREATE DATABASE scratch;\nDROP DATABASE scratch;')).toEqual([]);
  });

  it('leaves "cannot run in a transaction block" to concurrently-in-transaction', () => {
    const ids = lint('BEGIN;\nDROP DATABASE analytics;\nCOMMIT;').map((f) => f.ruleId);
    expect(ids.filter((id) => id === RULE)).toHaveLength(1);
    expect(ids).toContain('concurrently-in-transaction');
  });
});

it(`${RULE}: a database the file renamed to is new`, () => {
  expect(findingsOf(RULE, 'ALTER DATABASE scratch_old RENAME TO scratch;\nDROP DATABASE scratch;')).toEqual([]);
});
