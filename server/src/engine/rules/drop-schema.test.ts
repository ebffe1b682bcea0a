import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'drop-schema';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error; CASCADE says everything inside goes', () => {
    const sql = 'DROP SCHEMA IF EXISTS reporting, "Old" CASCADE;';
    const [finding] = findings(sql);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('DROP SCHEMA');
    expect(finding!.message).toContain('removes reporting, "Old"');
    expect(finding!.message).toMatch(/CASCADE drops every table/);
  });

  it('stays quiet without CASCADE: PostgreSQL drops only an empty schema', () => {
    // bionic-gpt 20260723120133: the tables inside are dropped first (drop-table reports them), then the empty schema.
    const sql = 'DROP TABLE IF EXISTS automation.automation_runs;\nDROP SCHEMA IF EXISTS automation;';
    expect(findings(sql)).toEqual([]);
    expect(findingsOf('drop-table', sql)).toHaveLength(1);
    expect(findings('DROP SCHEMA reporting RESTRICT;')).toEqual([]);
  });

  it('stays quiet for schemas created in the file and in down migrations', () => {
    expect(findings('CREATE SCHEMA scratch;\nDROP SCHEMA scratch CASCADE;')).toEqual([]);
    expect(findings('DROP SCHEMA reporting CASCADE;', 'migrations/2024-01-01-000000_reporting/down.sql')).toEqual([]);
    expect(findings('DROP SCHEMA scratch CASCADE;\nCREATE SCHEMA scratch;')).toHaveLength(1);
  });
});

it(`${RULE}: a schema named by CREATE SCHEMA AUTHORIZATION or renamed to in the file is new`, () => {
  expect(findingsOf(RULE, 'CREATE SCHEMA AUTHORIZATION app_owner;\nDROP SCHEMA app_owner CASCADE;')).toEqual([]);
  expect(findingsOf(RULE, 'CREATE SCHEMA tmp;\nALTER SCHEMA tmp RENAME TO tmp2;\nDROP SCHEMA tmp2 CASCADE;')).toEqual([]);
});
