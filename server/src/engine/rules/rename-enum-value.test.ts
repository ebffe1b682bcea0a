import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'rename-enum-value';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error naming the type and both labels, on the RENAME clause', () => {
    const sql = "ALTER TYPE shop.order_status RENAME VALUE 'canceled' TO 'cancelled';";
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe("RENAME VALUE 'canceled' TO 'cancelled'");
    expect(finding!.message).toContain("Renaming value 'canceled' of enum shop.order_status to 'cancelled' breaks the application running now");
    expect(finding!.message).toContain('invalid input value for enum');
    expect(finding!.fixes ?? []).toEqual([]);
  });

  it('fires in a transaction and is the only finding on the statement', () => {
    const sql = "BEGIN;\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';\nCOMMIT;";
    expect(findings(sql, undefined)).toHaveLength(1);
    expect(lint("ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';").map((finding) => finding.ruleId)).toEqual([RULE]);
  });

  it('stays quiet for ADD VALUE', () => {
    expect(findings("ALTER TYPE mood ADD VALUE 'meh';")).toEqual([]);
  });

  it('stays quiet when the type or the value is new in the file', () => {
    expect(findings("CREATE TYPE mood AS ENUM ('sad');\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';")).toEqual([]);
    expect(findings("CREATE TYPE s.mood AS ENUM ('sad');\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';")).toEqual([]);
    expect(findings("ALTER TYPE mood ADD VALUE 'meh';\nALTER TYPE mood RENAME VALUE 'meh' TO 'so-so';")).toEqual([]);
    expect(findings("ALTER TYPE feeling RENAME TO mood;\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';")).toEqual([]);
  });

  it('fires when another type is new in the file', () => {
    expect(findings("CREATE TYPE other AS ENUM ('sad');\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';")).toHaveLength(1);
    expect(findings("ALTER TYPE other ADD VALUE 'sad';\nALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy';")).toHaveLength(1);
  });

  it('stays quiet in down migrations', () => {
    expect(findings("ALTER TYPE mood RENAME VALUE 'unhappy' TO 'sad';", 'db/000007_mood.down.sql')).toEqual([]);
  });
});
