import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'drop-trigger';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('warns about the ACCESS EXCLUSIVE lock on the table and what stops running', () => {
    const sql = 'DROP TRIGGER IF EXISTS orders_audit ON app.orders CASCADE;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('DROP TRIGGER');
    expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on app.orders');
    expect(finding!.message).toMatch(/no longer run the trigger/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { schema: 'app', name: 'orders' }, blocks: expect.arrayContaining(['SELECT', 'INSERT']) });
  });

  it('stays quiet for a table created earlier in the file', () => {
    expect(findings('CREATE TABLE orders (id int);\nCREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER t ON orders;')).toEqual([]);
  });

  it('is the only rule that fires on a DROP TRIGGER', () => {
    expect(lint('DROP TRIGGER t ON orders;').map((finding) => finding.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE]);
  });
});

it(`${RULE}: stays quiet when the file drops the table afterwards (drop-table reports that)`, () => {
  expect(findingsOf(RULE, 'DROP TRIGGER t ON orders;\nDROP TABLE orders;')).toEqual([]);
  expect(findingsOf(RULE, 'DROP TRIGGER t ON orders;\nDROP TABLE customers;')).toHaveLength(1);
});

describe(`${RULE}: a trigger the file creates again`, () => {
  const sql = 'DROP TRIGGER IF EXISTS t ON orders;\nCREATE TRIGGER t AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();';

  it('PostgreSQL 14+: points to CREATE OR REPLACE TRIGGER instead of saying writes stop running it', () => {
    const [finding] = findingsOf(RULE, sql, { pgVersion: 14 });
    expect(finding!.message).toMatch(/Line 2 creates it again: CREATE OR REPLACE TRIGGER \(PostgreSQL 14\+\)/);
    expect(finding!.message).not.toMatch(/no longer run/);
  });

  it('before 14, or for a constraint trigger, only says when it comes back', () => {
    expect(findingsOf(RULE, sql, { pgVersion: 13 })[0]!.message).toMatch(/Line 2 creates it again; until then, writes do not run it/);
    const constraint = 'DROP TRIGGER t ON orders;\nCREATE CONSTRAINT TRIGGER t AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();';
    expect(findingsOf(RULE, constraint, { pgVersion: 17 })[0]!.message).not.toMatch(/OR REPLACE/);
  });

  it('a trigger of the same name on another table does not count', () => {
    const other = 'DROP TRIGGER t ON orders;\nCREATE TRIGGER t AFTER UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION f();';
    expect(findingsOf(RULE, other)[0]!.message).toMatch(/no longer run the trigger/);
  });

  describe('asks for a lock_timeout only when none is in force', () => {
    it.each([
      ['SET before it', "SET lock_timeout = '2s';\nDROP TRIGGER orders_audit ON orders;"],
      ['SET LOCAL earlier in its transaction', "BEGIN;\nSET LOCAL lock_timeout = '2s';\nDROP TRIGGER orders_audit ON orders;\nCOMMIT;"],
    ])('%s: still a warning about what stops running, without the timeout advice', (_name, sql) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe('DROP TRIGGER');
      expect(finding!.message).toContain('writes no longer run the trigger');
      expect(finding!.message).not.toMatch(/lock_timeout/);
    });

    it('still asks for one when the SET LOCAL belonged to an earlier transaction', () => {
      const sql = "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nDROP TRIGGER orders_audit ON orders;";
      expect(findings(sql)[0]!.message).toContain('Set a short lock_timeout before it');
    });
  });
});
