import { describe, expect, it } from 'vitest';
import { findingsOf, lint, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'drop-not-null';
const findings = (sql: string) => findingsOf(RULE, sql);
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  it('advises (info) that readers must handle NULL, and says the change is instant', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN note DROP NOT NULL, ALTER COLUMN total DROP NOT NULL;';
    const found = findings(sql);
    expect(found.map((finding) => textOf(sql, finding))).toEqual(['ALTER COLUMN note DROP NOT NULL', 'ALTER COLUMN total DROP NOT NULL']);
    expect(found[0]!.severity).toBe('info');
    expect(found[0]!.message).toMatch(/orders\.note hold NULL/);
    expect(found[0]!.message).toMatch(/instant/);
    expect(found[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE' });
  });

  it.each([
    ['table created in the file', 'CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;'],
    ['column added in the file', "ALTER TABLE orders ADD COLUMN a int NOT NULL DEFAULT 0;\nALTER TABLE orders ALTER COLUMN a DROP NOT NULL;"],
    ['DROP DEFAULT', 'ALTER TABLE orders ALTER COLUMN a DROP DEFAULT;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(ruleIds('ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;')).toEqual([RULE]);
  });
});
