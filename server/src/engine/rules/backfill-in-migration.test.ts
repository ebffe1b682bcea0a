import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'backfill-in-migration';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  describe('a statement that touches many rows of an existing table: a warning', () => {
    it.each([
      ['UPDATE without WHERE', "UPDATE orders SET status = 'new';", 'UPDATE orders', 'touches every row of orders'],
      ['DELETE without WHERE', 'DELETE FROM app.orders;', 'DELETE FROM app.orders', 'touches every row of app.orders'],
      ['a backfill of NULLs', "UPDATE orders SET status = 'new' WHERE status IS NULL;", 'UPDATE orders', 'may touch a large part of orders'],
      ['a range', "DELETE FROM events WHERE created_at < now() - interval '90 days';", 'DELETE FROM events', 'may touch a large part of events'],
      ['a join', 'UPDATE orders o SET total = p.total FROM payments p WHERE p.order_id = o.id;', 'UPDATE orders', 'may touch a large part'],
      ['a subquery', 'DELETE FROM orders WHERE id IN (SELECT order_id FROM refunds);', 'DELETE FROM orders', 'may touch a large part'],
      ['a boolean flag', 'UPDATE users SET active = false WHERE active = true;', 'UPDATE users', 'may touch a large part'],
      ['OR of values', 'DELETE FROM orders WHERE id = 1 OR status IS NULL;', 'DELETE FROM orders', 'may touch a large part'],
    ])('%s', (_name, statement, range, scope) => {
      const sql = `${statement}\n`;
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe(range);
      expect(finding!.message).toContain(scope);
      expect(finding!.message).toContain('each row stays locked until it ends');
      expect(finding!.message).toContain('in batches that each commit');
      expect(finding!.lock).toMatchObject({ mode: 'ROW EXCLUSIVE' });
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toContain('Batching depends on the data');
    });

    it('says the rows stay locked until COMMIT inside a transaction', () => {
      expect(findings('BEGIN;\nUPDATE orders SET a = 1;\nCOMMIT;')[0]!.message).toContain("until the migration's transaction commits");
    });
  });

  describe('quiet', () => {
    it.each([
      ['a key', 'UPDATE orders SET status = $$x$$ WHERE id = 42;'],
      ['a list of keys', "DELETE FROM settings WHERE key IN ('a', 'b') AND scope IS NULL;"],
      ['ANY of an array', "UPDATE orders SET a = 1 WHERE id = ANY('{1,2}'::int[]);"],
      ['values joined by OR', "DELETE FROM credential_types WHERE name = 'password' OR name = 'oidc';"],
      ['a cast value', "DELETE FROM schema_migrations WHERE version = '20240101'::text;"],
      ['a table created in the file', 'CREATE TABLE t (a int);\nINSERT INTO t VALUES (1);\nUPDATE t SET a = 2;'],
      ['an INSERT', 'INSERT INTO orders (id) VALUES (1);'],
      ['a system catalog', "UPDATE pg_index SET indisvalid = false WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = 'orders');"],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });
  });

  it('leaves a backfill under an earlier blocking lock to lock-held-across-slow-statement', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nUPDATE orders SET a = 0;\nCOMMIT;\n';
    expect(lint(sql).filter((finding) => finding.statementIndex === 2).map((finding) => finding.ruleId)).toEqual(['lock-held-across-slow-statement']);
  });
});
