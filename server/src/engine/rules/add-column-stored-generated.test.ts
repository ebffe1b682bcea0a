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

// Review round 7 #6 (atlas-gram workos metadata): the same ALTER adds NOT NULL columns without a DEFAULT, so on a table
// with rows PostgreSQL refuses it before copying anything.
describe('add-column-stored-generated: an ALTER that fails first on a table with rows', () => {
  it('says the statement fails first, and the rewrite comes once that is fixed', () => {
    const sql = 'ALTER TABLE "du" ADD COLUMN "a" timestamptz NOT NULL, ADD COLUMN "d" timestamptz NULL, ADD COLUMN "g" boolean NOT NULL GENERATED ALWAYS AS (d IS NOT NULL) STORED;';
    const [finding] = findingsOf('add-column-stored-generated', sql);
    expect(finding!.message).toMatch(/As written, the statement fails first on any table with rows \(ADD COLUMN a is NOT NULL without a DEFAULT\), so the rewrite comes once that is fixed\.$/);
    const fixed = 'ALTER TABLE "du" ADD COLUMN "a" timestamptz NOT NULL DEFAULT now(), ADD COLUMN "g" boolean GENERATED ALWAYS AS (a IS NOT NULL) STORED;';
    expect(findingsOf('add-column-stored-generated', fixed)[0]!.message).not.toContain('fails first');
  });
});
