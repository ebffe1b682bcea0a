/**
 * Statement cost, from what the statement does (server/src/engine/locks/statement-cost.ts): each case is
 * a minimal reproduction of a false alarm or a miss found on real migrations, checked through the
 * rules that depend on it.
 */
import { describe, expect, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { findingsOf, lint, textOf } from '../helpers/lint';

const LOCK_HELD = 'lock-held-across-slow-statement';
const block = (...statements: string[]) => ['BEGIN;', ...statements, 'COMMIT;', ''].join('\n');
const ADD_COLUMN = 'ALTER TABLE orders ADD COLUMN note text;';
const ADD_VIP = 'ALTER TABLE customers ADD COLUMN vip boolean;';

/** The statement a finding is on, as written (without its semicolon). */
const statementOf = (sql: string, start: number) => sql.slice(start, sql.indexOf(';', start));

describe('statement cost under a held lock', () => {
  it('flags INSERT … SELECT: it copies as many rows as the query reads', () => {
    const sql = block(ADD_COLUMN, 'INSERT INTO order_archive SELECT * FROM orders_2019;');
    const [finding, ...others] = findingsOf(LOCK_HELD, sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(statementOf(sql, finding!.range.start)).toBe('INSERT INTO order_archive SELECT * FROM orders_2019');
    expect(finding!.message).toMatch(/^This statement changes rows of order_archive while the ACCESS EXCLUSIVE lock .* on orders/);
  });

  it('flags INSERT … SELECT into a table the file created: the read of the existing table is the slow part', () => {
    const sql = block(ADD_COLUMN, 'CREATE TABLE order_copy (id bigint);', 'INSERT INTO order_copy SELECT id FROM orders_2019;');
    const [finding] = findingsOf(LOCK_HELD, sql);
    expect(finding!.message).toMatch(/^This statement scans orders_2019 while/);
  });

  it('flags a SELECT that reads a whole table locked earlier (count(*) scans it)', () => {
    const sql = block('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;', 'SELECT count(*) FROM orders;');
    const [finding, ...others] = findingsOf(LOCK_HELD, sql);
    expect(others).toEqual([]);
    expect(textOf(sql, finding!)).toBe('SELECT count');
    expect(finding!.message).toMatch(/^This statement scans orders while the ACCESS EXCLUSIVE lock/);
  });

  it.each([
    ['a one-row INSERT', "INSERT INTO orders (id, status) VALUES (1, 'new');"],
    ['a multi-row INSERT … VALUES', "INSERT INTO roles (id, name) VALUES (1, 'admin'), (2, 'user');"],
    ['INSERT … SELECT of constants', "INSERT INTO roles (id, name) SELECT 3, 'guest';"],
    ['INSERT … SELECT of a row picked by key', 'INSERT INTO order_archive SELECT * FROM orders WHERE id = 42;'],
    ['an UPDATE by primary key', "UPDATE orders SET status = 'paid' WHERE id = 42;"],
    ['a DELETE by a list of keys', 'DELETE FROM customers WHERE id IN (1, 2, 3);'],
    ['an UPDATE by a foreign key value and more', "UPDATE payments SET state = 'void' WHERE order_id = 42 AND state = 'open';"],
    ['a SELECT of a row picked by key', 'SELECT total FROM orders WHERE id = 42;'],
    ['a SELECT without tables', "SELECT set_config('app.mode', 'migrating', true);"],
    ['an UPDATE of a system catalog', "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'orders_idx'::regclass;"],
    ['INSERT … SELECT from a WITH query that inserts literal rows', "WITH role AS (INSERT INTO roles (name) VALUES ('auditor') RETURNING id) INSERT INTO role_grants (role_id, scope) SELECT id, 'read' FROM role;"],
    ['CREATE TABLE … AS … WITH NO DATA', 'CREATE TABLE orders_shape AS SELECT * FROM orders_2019 WITH NO DATA;'],
  ])('does not flag %s', (_name, statement) => {
    expect(findingsOf(LOCK_HELD, block(ADD_COLUMN, statement))).toEqual([]);
  });

  it.each([
    ['UPDATE without WHERE', "UPDATE customers SET tier = 'basic';"],
    ['UPDATE by a condition', 'UPDATE orders SET note = status WHERE note IS NULL;'],
    ['DELETE by a value of a non-key column (may match every row, through a scan)', "DELETE FROM jobs WHERE status = 'failed';"],
    ['SELECT … LIMIT after a sort (reads everything to sort it)', 'SELECT id FROM orders ORDER BY created_at DESC LIMIT 1;'],
    ['INSERT … SELECT from a WITH query that reads a table', "WITH recent AS (SELECT id FROM events WHERE kind = 'signup') INSERT INTO welcome_jobs (event_id) SELECT id FROM recent;"],
    ['CREATE TABLE … AS SELECT from an existing table', 'CREATE TABLE orders_copy AS SELECT * FROM orders_2019;'],
  ])('flags %s', (_name, statement) => {
    expect(findingsOf(LOCK_HELD, block(ADD_COLUMN, statement))).toHaveLength(1);
  });

  it('stays quiet on the seed rows of a Flyway migration after its one index build (the index build is reported once)', () => {
    const seeds = Array.from({ length: 40 }, (_, i) => `INSERT INTO settings (id, name) VALUES (${i + 1}, 'setting ${i + 1}');`);
    const sql = ['CREATE INDEX settings_name_idx ON settings (name);', ...seeds, ''].join('\n');
    const findings = lint(sql, { filePath: 'db/migration/V2__seed_settings.sql' }).filter((finding) => finding.severity === 'error');
    expect(findings.map((finding) => finding.ruleId)).toEqual(['create-index-without-concurrently']);
  });
});

describe('foreign keys from a table created in the migration', () => {
  it('are not said to scan the referenced table: the new table has no rows to check', () => {
    const sql = block(ADD_COLUMN, 'CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint);', 'ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);');
    expect(findingsOf(LOCK_HELD, sql)).toEqual([]);
  });

  it('still scan it from an existing table', () => {
    const sql = block(ADD_VIP, 'ALTER TABLE order_items ADD CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);');
    expect(lint(sql).find((finding) => finding.ruleId === 'foreign-key-without-not-valid')?.related.map((related) => related.message)).toEqual([
      expect.stringMatching(/^This statement scans order_items while the ACCESS EXCLUSIVE lock an earlier statement of this transaction took on customers/),
      'ACCESS EXCLUSIVE on customers taken here; held until COMMIT',
    ]);
  });
});

describe('SET NOT NULL after a validated CHECK (col IS NOT NULL)', () => {
  const proven = (check: string, setNotNull = 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;') =>
    [`ALTER TABLE orders ADD CONSTRAINT orders_customer_id_check CHECK (${check}) NOT VALID;`, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_check;', block(ADD_VIP, setNotNull)].join('\n');

  it.each([
    ['the plain form', 'customer_id IS NOT NULL'],
    ['a CHECK that ANDs it with other conditions', 'customer_id IS NOT NULL AND total > 0'],
    ['a nested AND', '(total > 0 AND (customer_id IS NOT NULL AND status <> \'\'))'],
  ])('skips the scan (PostgreSQL 12+): %s', (_name, check) => {
    const sql = proven(check);
    expect(findingsOf('set-not-null', sql)).toEqual([]);
    expect(findingsOf(LOCK_HELD, sql)).toEqual([]);
  });

  it.each([
    ['an OR proves nothing', 'customer_id IS NOT NULL OR total > 0'],
    ['another column', 'total IS NOT NULL AND total > 0'],
  ])('still scans when the CHECK does not prove it: %s', (_name, check) => {
    const sql = proven(check);
    expect(findingsOf('set-not-null', sql)).toHaveLength(1);
    expect(findingsOf(LOCK_HELD, sql)).toHaveLength(0); // folded into set-not-null's error
    expect(findingsOf('set-not-null', sql)[0]!.related[0]!.message).toMatch(/^This statement scans orders while the ACCESS EXCLUSIVE lock .* on customers/);
  });

  it('still scans before PostgreSQL 12, and on a second column the CHECK does not cover', () => {
    expect(findingsOf('set-not-null', proven('customer_id IS NOT NULL'), { pgVersion: 11 })).toHaveLength(1);
    const both = proven('customer_id IS NOT NULL AND total > 0', 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL, ALTER COLUMN total SET NOT NULL;');
    expect(findingsOf('set-not-null', both)[0]!.message).toMatch(/^SET NOT NULL on total takes/);
  });
});

describe('one finding per problem', () => {
  const INDEX = 'CREATE INDEX orders_customer_idx ON orders (customer_id);';
  const sql = block(ADD_VIP, INDEX);

  it('folds the held lock into the finding on the statement’s own lock: related information, and its fix offered second', () => {
    const errors = lint(sql).filter((finding) => finding.severity === 'error');
    expect(errors.map((finding) => finding.ruleId)).toEqual(['create-index-without-concurrently']);
    const [host] = errors;
    expect(host!.related.map((related) => [textOf(sql, { ...host!, range: related.range }), related.message])).toEqual([
      ['CREATE INDEX', expect.stringMatching(/^This statement builds an index on orders while the ACCESS EXCLUSIVE lock .* on customers is still held/)],
      ['ALTER TABLE customers ADD COLUMN vip boolean', 'ACCESS EXCLUSIVE on customers taken here; held until COMMIT'],
    ]);
    expect(host!.fixes.map((fix) => [fix.title, fix.preferred])).toEqual([
      [expect.stringMatching(/CONCURRENTLY/), true],
      ['Commit before this statement, so the earlier blocking lock is released (splits the transaction)', false],
    ]);
  });

  it('keeps the held-lock finding on its own when the own-lock finding is suppressed or less severe', () => {
    const suppressed = sql.replace(INDEX, `-- lockguard-ignore create-index-without-concurrently: orders has 40 rows\n${INDEX}`);
    expect(lint(suppressed).filter((finding) => finding.severity === 'error').map((finding) => finding.ruleId)).toEqual([LOCK_HELD]);
    const downgraded = lint(sql, { rules: { 'create-index-without-concurrently': 'warning' } });
    expect(downgraded.find((finding) => finding.ruleId === LOCK_HELD)?.severity).toBe('error');
  });

  it('folds the same way when the file is analysed incrementally', async () => {
    const linter = await Linter.create();
    const first = linter.lintIncrementally(sql.replace('vip', 'gold'), {}, undefined);
    const again = linter.lintIncrementally(sql, {}, first);
    expect(again.findings).toEqual(linter.lint(sql).findings);
    expect(again.findings.filter((finding) => finding.ruleId === LOCK_HELD)).toEqual([]);
  });
});
