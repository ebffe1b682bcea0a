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
      ['a subquery with LIMIT ALL', 'UPDATE orders SET a = 1 WHERE id IN (SELECT id FROM orders LIMIT ALL);', 'UPDATE orders', 'may touch a large part'],
      ['a subquery with a LIMIT on a non-key column', "UPDATE orders SET a = 1 WHERE status IN (SELECT status FROM orders LIMIT 10);", 'UPDATE orders', 'may touch a large part'],
      ['a key range open at one end', 'DELETE FROM orders WHERE id >= 1000;', 'DELETE FROM orders', 'may touch a large part'],
      ['a range on two different keys', 'DELETE FROM orders WHERE id >= 1000 AND customer_id < 50;', 'DELETE FROM orders', 'may touch a large part'],
      ['a range on a non-key column', "DELETE FROM orders WHERE created_at BETWEEN '2020-01-01' AND '2021-01-01';", 'DELETE FROM orders', 'may touch a large part'],
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

  describe('quiet for one batch of keys: bounded work, whatever the size of the table', () => {
    it.each([
      ['keys IN a subquery with LIMIT (the documented batch)', "UPDATE orders SET status = 'new' WHERE id IN (SELECT id FROM orders WHERE status IS NULL LIMIT 10000);"],
      ['the same, ordered', 'DELETE FROM events WHERE id IN (SELECT id FROM events WHERE archived ORDER BY id LIMIT 5000);'],
      ['FETCH FIRST', 'DELETE FROM events WHERE event_id IN (SELECT event_id FROM events WHERE archived FETCH FIRST 500 ROWS ONLY);'],
      ['a LIMIT parameter', 'UPDATE orders SET a = 1 WHERE id IN (SELECT id FROM orders WHERE a IS NULL LIMIT $1);'],
      ['ctid = ANY of a limited array', "UPDATE orders SET status = 'new' WHERE ctid = ANY (ARRAY(SELECT ctid FROM orders WHERE status IS NULL LIMIT 1000));"],
      ['a key BETWEEN two values', "UPDATE orders SET status = 'new' WHERE id BETWEEN 1 AND 10000 AND status IS NULL;"],
      ['a key bounded on both sides', 'UPDATE orders SET a = 1 WHERE id >= 10000 AND id < 20000;'],
      ['a key bounded on both sides, value first', 'UPDATE orders SET a = 1 WHERE 10000 <= id AND id < 20000 AND a IS NULL;'],
      ['a ctid range', "DELETE FROM events WHERE ctid >= '(0,0)'::tid AND ctid < '(1000,0)'::tid;"],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });
  });

  it('leaves a backfill under an earlier blocking lock to lock-held-across-slow-statement', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN a int;\nUPDATE orders SET a = 0;\nCOMMIT;\n';
    expect(lint(sql).filter((finding) => finding.statementIndex === 2).map((finding) => finding.ruleId)).toEqual(['lock-held-across-slow-statement']);
  });
});
