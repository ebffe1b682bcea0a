import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'lock-held-across-slow-statement';
const block = (...statements: string[]) => ['BEGIN;', ...statements, 'COMMIT;', ''].join('\n');
const ADD_COLUMN = 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;';
const ADD_CHECK = 'ALTER TABLE orders ADD CONSTRAINT orders_discount_check CHECK (discount >= 0) NOT VALID;';
const VALIDATE = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;';

describe(RULE, () => {
  it('flags a validation scan that runs while an earlier ACCESS EXCLUSIVE is held, pointing at both', () => {
    const sql = block(ADD_COLUMN, ADD_CHECK, VALIDATE);
    const [finding, ...others] = findingsOf(RULE, sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('ALTER TABLE');
    expect(finding!.range.start).toBe(sql.indexOf(VALIDATE));
    expect(finding!.message).toMatch(/scans orders while the ACCESS EXCLUSIVE lock .* still held .*so for as long as this statement runs: every read and write on the table waits\./);
    expect(finding!.related.map((related) => textOf(sql, { ...finding!, range: related.range }))).toEqual([ADD_COLUMN.slice(0, -1), ADD_CHECK.slice(0, -1)]);
    expect(finding!.related[0]!.message).toBe('ACCESS EXCLUSIVE on orders taken here; held until COMMIT');
  });

  it('leaves a VALIDATE of a constraint added NOT VALID in the same transaction to validate-in-same-transaction', () => {
    const sql = block(ADD_COLUMN, 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;', VALIDATE);
    expect(findingsOf(RULE, sql)).toEqual([]);
    expect(lint(sql).map((finding) => finding.ruleId)).toContain('validate-in-same-transaction');
  });

  it('commits before the slow statement as its fix', () => {
    const sql = block(ADD_COLUMN, VALIDATE);
    const fixed = applyFix(sql, findingsOf(RULE, sql)[0]!.fixes[0]!);
    expect(fixed).toBe(block(ADD_COLUMN, 'COMMIT;', 'BEGIN;', VALIDATE));
    expect(findingsOf(RULE, fixed)).toEqual([]);
  });

  it('sees the lock on another table too, and index builds', () => {
    const sql = block('ALTER TABLE customers ADD COLUMN vip boolean;', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (customer_id);');
    // CONCURRENTLY fails in a transaction (another rule); a plain build behind the lock is this rule's case,
    // reported on its own when create-index-without-concurrently (which it otherwise joins) is off:
    const plain = block('ALTER TABLE customers ADD COLUMN vip boolean;', 'CREATE INDEX i ON orders (customer_id);');
    const [finding] = findingsOf(RULE, plain, { rules: { 'create-index-without-concurrently': 'off' } });
    expect(finding!.message).toMatch(/builds an index on orders while the ACCESS EXCLUSIVE lock .* on customers/);
    expect(lint(sql).map((finding) => finding.ruleId)).toContain('concurrently-in-transaction');
  });

  it('says what an UPDATE without WHERE does', () => {
    const [finding] = findingsOf(RULE, block(ADD_COLUMN, "UPDATE customers SET tier = 'basic';"));
    expect(finding!.message).toMatch(/^This statement changes every row of customers while the ACCESS EXCLUSIVE lock .* on orders/);
  });

  it('names the strongest held lock, the nearest five places and how many more, and at most five tables', () => {
    const earlier = ['orders', 'customers', 'payments', 'refunds', 'invoices', 'shipments', 'carts'].map((table) => `ALTER TABLE ${table} ALTER COLUMN note SET DEFAULT '';`);
    const sql = block('LOCK TABLE ledger IN SHARE MODE;', ...earlier, VALIDATE);
    const [finding, ...others] = findingsOf(RULE, sql);
    expect(others).toEqual([]);
    expect(finding!.lock!.mode).toBe('ACCESS EXCLUSIVE');
    expect(finding!.lock!.relation.name).toBe('orders');
    expect(finding!.message).toMatch(/took on ledger, orders, customers, payments, refunds and 3 more tables is still held/);
    const related = finding!.related.map((location) => [textOf(sql, { ...finding!, range: location.range }), location.message]);
    expect(related).toEqual([
      ['LOCK TABLE ledger IN SHARE MODE', 'and 3 more blocking locks taken earlier in this transaction, from here on; all held until COMMIT'],
      ...earlier.slice(-5).map((statement) => [statement.slice(0, -1), `ACCESS EXCLUSIVE on ${statement.split(' ')[2]} taken here; held until COMMIT`]),
    ]);
  });

  it('counts only the locks of its own transaction, in the order taken, across tables and modes', () => {
    const held = [
      'LOCK TABLE ledger IN SHARE MODE;',
      'ALTER TABLE customers ADD COLUMN b int;',
      'LOCK TABLE ledger IN EXCLUSIVE MODE;',
      'ALTER TABLE customers ADD COLUMN c int;',
      'LOCK TABLE payments IN SHARE MODE;',
      'ALTER TABLE customers ADD COLUMN d int;',
    ];
    const sql = block(ADD_COLUMN) + block(...held, VALIDATE);
    const [finding, ...others] = findingsOf(RULE, sql);
    expect(others).toEqual([]);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'customers' } });
    expect(finding!.message).toMatch(/took on ledger, customers, payments is still held/);
    const related = finding!.related.map((location) => [textOf(sql, { ...finding!, range: location.range }), location.message]);
    expect(related).toEqual([
      ['LOCK TABLE ledger IN SHARE MODE', 'and 1 more blocking lock taken earlier in this transaction, from here on; all held until COMMIT'],
      ['ALTER TABLE customers ADD COLUMN b int', 'ACCESS EXCLUSIVE on customers taken here; held until COMMIT'],
      ['LOCK TABLE ledger IN EXCLUSIVE MODE', 'EXCLUSIVE on ledger taken here; held until COMMIT'],
      ['ALTER TABLE customers ADD COLUMN c int', 'ACCESS EXCLUSIVE on customers taken here; held until COMMIT'],
      ['LOCK TABLE payments IN SHARE MODE', 'SHARE on payments taken here; held until COMMIT'],
      ['ALTER TABLE customers ADD COLUMN d int', 'ACCESS EXCLUSIVE on customers taken here; held until COMMIT'],
    ]);
  });

  it('applies to the transaction a migration tool opens', () => {
    const [finding] = findingsOf(RULE, `-- migrate:up\n${ADD_COLUMN}\n${VALIDATE}`, { filePath: 'db/migrations/20240101_x.sql' });
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/dbmate runs the whole file in one transaction/);
  });

  it.each([
    ['autocommit', `${ADD_COLUMN}\n${VALIDATE}`],
    ['separate transactions', block(ADD_COLUMN) + block(VALIDATE)],
    ['only fast statements', block(ADD_COLUMN, 'ALTER TABLE orders ALTER COLUMN status SET DEFAULT 1;')],
    ['a lock that blocks nothing first', block("COMMENT ON TABLE orders IS 'x';", VALIDATE)],
    ['tables created in the file', block('CREATE TABLE orders (id int, total int);', ADD_COLUMN, 'CREATE INDEX i ON orders (id);')],
    ['the slow statement itself blocks as much on the same table', block('CREATE INDEX a ON orders (x);', 'CREATE INDEX b ON orders (y);')],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findingsOf(RULE, sql)).toEqual([]);
  });
});
