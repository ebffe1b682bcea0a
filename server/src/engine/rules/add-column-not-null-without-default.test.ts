import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'add-column-not-null-without-default';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  it.each([
    ['NOT NULL', 'ALTER TABLE orders ADD COLUMN status text NOT NULL;', 'NOT NULL', /NOT NULL without a DEFAULT/],
    ['PRIMARY KEY', 'ALTER TABLE orders ADD COLUMN code int PRIMARY KEY;', 'PRIMARY KEY', /a PRIMARY KEY without a DEFAULT/],
    ['NOT NULL then CHECK', 'ALTER TABLE app.orders ADD status text NOT NULL CHECK (status <> \'\'), ADD note text;', 'NOT NULL', /NOT NULL/],
  ])('flags %s and underlines it', (_name, sql, underlined, message) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe(underlined);
    expect(finding!.message).toMatch(message);
    expect(finding!.message).toMatch(/refuses the statement on any non-empty table/);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/Only you know/);
  });

  it('adapts its advice to the version: a DEFAULT rewrites before PostgreSQL 11', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN status text NOT NULL;')[0]!.message).toMatch(/stored once, without rewriting/);
    expect(findings('ALTER TABLE orders ADD COLUMN status text NOT NULL;', 10)[0]!.message).toMatch(/before PostgreSQL 11 any DEFAULT rewrites/);
  });

  it.each([
    ['with a default', "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';"],
    ['nullable', 'ALTER TABLE orders ADD COLUMN status text;'],
    ['identity fills the rows', 'ALTER TABLE orders ADD COLUMN n int NOT NULL GENERATED ALWAYS AS IDENTITY;'],
    ['serial fills the rows', 'ALTER TABLE orders ADD COLUMN n bigserial NOT NULL;'],
    ['generated fills the rows', 'ALTER TABLE orders ADD COLUMN n int NOT NULL GENERATED ALWAYS AS (id * 2) STORED;'],
    ['table created in the file', 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN status text NOT NULL;'],
    ['SET NOT NULL is another rule', 'ALTER TABLE orders ALTER COLUMN status SET NOT NULL;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('is the only column rule that fires', () => {
    // set-not-null also reads an inline NOT NULL of ADD COLUMN as SET NOT NULL (no scan happens there): reported to its owner.
    expect(ruleIds('ALTER TABLE orders ADD COLUMN status text NOT NULL;').filter((id) => id !== 'set-not-null')).toEqual([RULE]);
  });
});

describe('a table the same transaction emptied first', () => {
  it.each([
    ['DELETE FROM without WHERE', 'BEGIN;\nDELETE FROM password_reset_request;\nALTER TABLE password_reset_request ADD COLUMN local_user_id integer NOT NULL;\nCOMMIT;'],
    ['TRUNCATE', 'BEGIN;\nTRUNCATE password_reset_request;\nALTER TABLE password_reset_request ADD COLUMN local_user_id integer NOT NULL;\nCOMMIT;'],
  ])('%s: no rows to refuse the column for (lemmy 2021-03-09-171136_split_user_table_2)', (_name, source) => {
    expect(findingsOf('add-column-not-null-without-default', source)).toEqual([]);
  });

  it('still flags it after a DELETE with a WHERE clause, or one in an earlier transaction', () => {
    expect(findingsOf('add-column-not-null-without-default', 'BEGIN;\nDELETE FROM t WHERE id < 10;\nALTER TABLE t ADD COLUMN c int NOT NULL;\nCOMMIT;')).toHaveLength(1);
    expect(findingsOf('add-column-not-null-without-default', 'DELETE FROM t;\nALTER TABLE t ADD COLUMN c int NOT NULL;')).toHaveLength(1);
  });
});
