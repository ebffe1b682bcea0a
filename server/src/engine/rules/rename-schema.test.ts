import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'rename-schema';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error naming both schemas', () => {
    const sql = 'ALTER SCHEMA reporting RENAME TO analytics;';
    const [finding] = findings(sql);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('RENAME TO analytics');
    expect(finding!.message).toContain('Renaming schema reporting to analytics breaks the application running now');
  });

  it('stays quiet for a schema created in the file and in down migrations', () => {
    expect(findings('CREATE SCHEMA tmp;\nALTER SCHEMA tmp RENAME TO final;')).toEqual([]);
    expect(findings('ALTER SCHEMA analytics RENAME TO reporting;', 'db/000004_schema.down.sql')).toEqual([]);
  });
});

it(`${RULE}: renaming back a schema the file renamed is quiet`, () => {
  expect(findingsOf(RULE, 'CREATE SCHEMA a;\nALTER SCHEMA a RENAME TO b;\nALTER SCHEMA b RENAME TO a;')).toEqual([]);
});
