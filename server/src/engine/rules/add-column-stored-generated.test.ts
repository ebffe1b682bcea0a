import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'add-column-stored-generated';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

const STORED = 'ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;';

describe(RULE, () => {
  it('flags a stored generated column on an existing table', () => {
    const [finding, ...others] = findings(STORED);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(STORED, finding!)).toBe('GENERATED ALWAYS AS (total * 100) STORED');
    expect(finding!.message).toMatch(/rewrites orders and rebuilds all its indexes under an ACCESS EXCLUSIVE lock/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE' });
    expect(finding!.noFixReason).toBeDefined();
  });

  it('suggests VIRTUAL only where PostgreSQL has it (18+)', () => {
    expect(findings(STORED, 18)[0]!.message).toMatch(/VIRTUAL/);
    expect(findings(STORED, 17)[0]!.message).not.toMatch(/VIRTUAL/);
  });

  it.each([
    ['virtual (PostgreSQL 18)', 'ALTER TABLE orders ADD COLUMN c bigint GENERATED ALWAYS AS (total * 100) VIRTUAL;'],
    ['no kind given: virtual on PostgreSQL 18', 'ALTER TABLE orders ADD COLUMN c bigint GENERATED ALWAYS AS (total * 100);'],
    ['table created in the file', 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (a * 2) STORED;'],
    ['identity is another rule', 'ALTER TABLE orders ADD COLUMN c int GENERATED ALWAYS AS IDENTITY;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql, 18)).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(ruleIds(STORED)).toEqual([RULE]);
  });
});
