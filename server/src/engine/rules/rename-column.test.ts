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

// Review round 4 #64 (harbor 0004_1.8.0_schema.up.sql): the column is renamed, then the whole table.
describe(`${RULE}: a table the migration drops or renames afterwards`, () => {
  const reshape = 'ALTER TABLE replication_job RENAME COLUMN job_uuid TO job_id;\nALTER TABLE replication_job DROP COLUMN repository;\n';

  it('leaves the breakage to rename-table or drop-table, and drop-column does too', () => {
    for (const sql of [`${reshape}ALTER TABLE replication_job RENAME TO replication_schedule_job;\n`, `${reshape}DROP TABLE replication_job;\n`]) {
      const ids = lint(sql).map((finding) => finding.ruleId);
      expect(ids).not.toContain(RULE);
      expect(ids).not.toContain('drop-column');
      expect(ids.filter((id) => id === 'rename-table' || id === 'drop-table')).toHaveLength(1);
    }
  });

  it('still reports the column when the old table name is given back, or when only the down section renames the table', () => {
    expect(findings(`${reshape}ALTER TABLE replication_job RENAME TO replication_job_old;\nCREATE VIEW replication_job AS SELECT * FROM replication_job_old;\n`)).toHaveLength(1);
    expect(findings(`${reshape}ALTER TABLE other_job RENAME TO other_job_old;\n`)).toHaveLength(1);
    expect(findings(`-- migrate:up\n${reshape}-- migrate:down\nALTER TABLE replication_job RENAME TO replication_job_old;\n`)).toHaveLength(1);
  });

  it('still reports a rename that only the down section undoes', () => {
    expect(findings('-- migrate:up\nALTER TABLE orders RENAME COLUMN a TO b;\n-- migrate:down\nALTER TABLE orders RENAME COLUMN b TO a;\n')).toHaveLength(1);
  });
});
