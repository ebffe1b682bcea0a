import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'missing-statement-timeout';
const ON = { rules: { [RULE]: 'info' as const } };
const findings = (sql: string) => findingsOf(RULE, sql, ON);
const CHECK = 'ALTER TABLE orders ADD CONSTRAINT orders_a_check CHECK (a > 0);';
/** The team's word that the CHECK's scan is quick: the rule that flags it, ignored with a reason. */
const SMALL = '-- lockguard-ignore check-without-not-valid: orders has 300 rows\n';
const QUICK_CHECK = `${SMALL}${CHECK}`;

describe(RULE, () => {
  it('is off unless a setting turns it on', () => {
    expect(findingsOf(RULE, CHECK)).toEqual([]);
    const [finding] = findingsOf(RULE, CHECK, { rules: { [RULE]: 'warning' } });
    expect(finding!.severity).toBe('warning');
  });

  it('proposes no limit for work that grows with the table: any short one would cancel the migration', () => {
    const [finding, ...others] = findings(`SET lock_timeout = '2s';\n${CHECK}\n`);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('info');
    expect(finding!.message).toContain('No statement_timeout caps this statement, which scans the table while it holds ACCESS EXCLUSIVE on orders');
    expect(finding!.message).toContain('Its run time grows with the table, so no short limit fits');
    expect(finding!.message).not.toContain("'5s'");
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain('production table');
  });

  it('proposes a short limit only when every blocking statement is quick by the team’s own account', () => {
    const sql = `SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a int;\n${QUICK_CHECK}\n-- lockguard-ignore alter-column-type: payments has 40 rows\nALTER TABLE payments ALTER COLUMN total TYPE numeric;\n`;
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(textOf(sql, finding!)).toBe('ALTER TABLE');
    expect(finding!.statementIndex).toBe(2);
    expect(finding!.message).toContain('every read and write on orders queues until it ends');
    expect(finding!.message).toContain('You kept it because "orders has 300 rows"');
    expect(finding!.fixes[0]).toMatchObject({ preferred: true, autoApplicable: false });
    expect(applyFix(sql, finding!.fixes[0]!)).toBe(sql.replace(SMALL, `SET statement_timeout = '5s';\n${SMALL}`));

    // One blocking statement without a stated reason: its run time is unknown, so no value for any of them.
    const unexplained = findings(sql.replace('-- lockguard-ignore alter-column-type: payments has 40 rows\n', ''));
    expect(unexplained.map((other) => other.fixes)).toEqual([[]]);
  });

  describe('quiet', () => {
    it.each([
      ['with a statement_timeout', `SET statement_timeout = '5s';\n${CHECK}`],
      ['with SET LOCAL in the transaction', `BEGIN;\nSET LOCAL statement_timeout = '5s';\n${CHECK}\nCOMMIT;`],
      ['for catalog-only changes, whose wait lock_timeout bounds', 'ALTER TABLE orders ADD COLUMN a text;\nDROP INDEX i;\nALTER TABLE orders RENAME COLUMN a TO b;'],
      ['without blocking statements', 'CREATE INDEX CONCURRENTLY i ON orders (a);\nALTER TABLE orders VALIDATE CONSTRAINT c;\nUPDATE orders SET a = 1;'],
      ['on tables created in the file', 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;'],
      ['for CREATE INDEX, whose own rule asks for CONCURRENTLY', 'CREATE INDEX i ON orders (a);'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('but a statement_timeout = 0 is none', () => {
      expect(findings(`SET statement_timeout = 0;\n${CHECK}`)).toHaveLength(1);
    });
  });

  describe('the fix keeps the timeout away from statements meant to run long', () => {
    it.each([
      ['a concurrent index build', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_b_idx ON orders (b);'],
      ['a validation scan', 'ALTER TABLE orders VALIDATE CONSTRAINT orders_a_check;'],
      ['a backfill', 'UPDATE orders SET a = 0 WHERE a IS NULL;'],
    ])('%s', (_name, long) => {
      const rewrite = '-- lockguard-ignore alter-column-type: orders has 300 rows\nALTER TABLE orders ALTER COLUMN a TYPE bigint;';
      const sql = `${QUICK_CHECK}\n${long}\n${rewrite}\n`;
      const [finding] = findings(sql);
      expect(finding!.fixes[0]!.title).toBe("Set statement_timeout = '5s' before the blocking statements (2 places)");
      const after = applyFix(sql, finding!.fixes[0]!);
      expect(after).toBe(`SET statement_timeout = '5s';\n${QUICK_CHECK}\nRESET statement_timeout;\n${long}\nSET statement_timeout = '5s';\n${rewrite}\n`);
      expect(lint(after, ON).filter((other) => other.ruleId === RULE || other.ruleId === 'syntax-error')).toEqual([]);
    });

    it('inside a transaction: SET LOCAL, and RESET before a long statement of the same transaction', () => {
      const sql = `BEGIN;\n${QUICK_CHECK}\nUPDATE orders SET a = 0 WHERE a IS NULL;\nCOMMIT;\n`;
      const [finding] = findings(sql);
      expect(applyFix(sql, finding!.fixes[0]!)).toBe(`BEGIN;\nSET LOCAL statement_timeout = '5s';\n${QUICK_CHECK}\nRESET statement_timeout;\nUPDATE orders SET a = 0 WHERE a IS NULL;\nCOMMIT;\n`);
    });
  });
});
