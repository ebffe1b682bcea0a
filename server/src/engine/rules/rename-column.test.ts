import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'rename-column';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error naming the table and both names, advising expand/contract', () => {
    const sql = 'ALTER TABLE users RENAME COLUMN name TO "Full Name";';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('RENAME COLUMN name TO "Full Name"');
    expect(finding!.message).toContain('Renaming column name of users to "Full Name"');
    expect(finding!.message).toMatch(/expand\/contract/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'users' } });
  });

  it.each([
    ['table created in the file', 'CREATE TABLE users (id int, nm text);\nALTER TABLE users RENAME nm TO name;', undefined],
    ['column added in the file', 'ALTER TABLE users ADD COLUMN nm text;\nALTER TABLE users RENAME COLUMN nm TO name;', undefined],
    ['down migration', 'ALTER TABLE users RENAME COLUMN full_name TO name;', 'migrations/2024-01-01-000000_names/down.sql'],
    ['a view column', 'ALTER VIEW v RENAME COLUMN a TO b;', undefined],
  ])('stays quiet: %s', (_name, sql, filePath) => {
    expect(findings(sql, filePath)).toEqual([]);
  });

  it('is the only rule reporting the rename', () => {
    expect(lint('ALTER TABLE users RENAME COLUMN name TO full_name;').map((f) => f.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE]);
  });
});

it(`${RULE}: stays quiet when the old name is given back later in the file (rebuild or swap)`, () => {
  expect(findingsOf(RULE, 'ALTER TABLE c RENAME pk TO pk_deprecated;\nALTER TABLE c ADD COLUMN pk uuid;')).toEqual([]);
  // In a swap, the first rename keeps the name; the second retires a_new, which running code may write.
  const swap = 'ALTER TABLE c RENAME a TO a_old;\nALTER TABLE c RENAME a_new TO a;';
  expect(findingsOf(RULE, swap).map((finding) => textOf(swap, finding))).toEqual(['RENAME a_new TO a']);
  expect(findingsOf(RULE, 'ALTER TABLE c RENAME a TO b;\nALTER TABLE d ADD COLUMN a int;')).toHaveLength(1);
});

it(`${RULE}: stays quiet on a table this file renamed (rename-table reports the break once)`, () => {
  expect(findingsOf(RULE, 'ALTER TABLE user_ RENAME TO person;\nALTER TABLE person RENAME COLUMN name TO handle;')).toEqual([]);
});
