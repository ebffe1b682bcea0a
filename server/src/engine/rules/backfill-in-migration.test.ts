import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'backfill-in-migration';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);

const parser = await PostgresParser.load();
/** What the earlier migrations of the set declare: `orders` keyed by a bigserial id. */
const ORDERS = { priorSchema: schemaAfter(buildStatements('CREATE TABLE orders (id bigserial PRIMARY KEY, status text, total int);', parser, defaultOptions())) };

describe(RULE, () => {
  describe('a statement that touches many rows of an existing table: an error', () => {
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
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toBe(range);
      expect(finding!.message).toContain(scope);
      expect(finding!.message).toContain('each row stays locked until it ends');
      expect(finding!.message).toContain('in batches of a few thousand rows that each commit');
      expect(finding!.lock).toMatchObject({ mode: 'ROW EXCLUSIVE' });
    });

    it('says the rows stay locked until COMMIT inside a transaction', () => {
      expect(findings('BEGIN;\nUPDATE orders SET a = 1;\nCOMMIT;')[0]!.message).toContain("until the migration's transaction commits");
    });

    it('flags an unbounded statement that a DO block runs, where it is written', () => {
      const sql = "DO $$\nBEGIN\n  UPDATE orders SET status = 'new';\nEND\n$$;\n";
      const [finding] = findings(sql, ORDERS);
      expect(textOf(sql, finding!)).toBe('UPDATE orders');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toContain('runs inside a DO block');
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
      ['a table emptied earlier in the transaction', "BEGIN;\nTRUNCATE orders;\nUPDATE orders SET status = 'new';\nCOMMIT;"],
      ['an INSERT', 'INSERT INTO orders (id) VALUES (1);'],
      ['a system catalog', "UPDATE pg_index SET indisvalid = false WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = 'orders');"],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('for the batch of a key walk in a DO block: the key bounded by the variables the block declares', () => {
      const sql =
        'DO $$\nDECLARE\n  from_code text;\n  to_code text;\nBEGIN\n' +
        "  UPDATE codes SET label = 'x' WHERE code >= from_code AND to_code >= code AND label IS NULL;\nEND\n$$;\n";
      expect(findings(sql)).toEqual([]);
    });

    it('not for a column compared with other columns in a DO block', () => {
      const sql = "DO $$\nBEGIN\n  UPDATE codes SET label = 'x' WHERE code >= low_code AND code <= high_code;\nEND\n$$;\n";
      expect(findings(sql)).toHaveLength(1);
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

  describe('the batched fix', () => {
    const BATCHED_UPDATE = [
      'DO $$',
      'DECLARE',
      '  batch_start bigint;',
      '  batch_end bigint;',
      'BEGIN',
      '  SELECT min(id) INTO batch_start FROM orders;',
      '  WHILE batch_start IS NOT NULL LOOP',
      '    SELECT max(id) INTO batch_end FROM (SELECT id FROM orders WHERE id >= batch_start ORDER BY id LIMIT 5000) AS batch;',
      "    UPDATE orders SET status = 'new' WHERE id >= batch_start AND id <= batch_end AND (status IS NULL);",
      '    COMMIT;',
      '    SELECT min(id) INTO batch_start FROM orders WHERE id > batch_end;',
      '  END LOOP;',
      'END',
      '$$;',
    ].join('\n');

    it('replaces the statement in place when it runs on its own in autocommit (psql)', () => {
      const sql = "ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders SET status = 'new' WHERE status IS NULL;\nSELECT 1;\n";
      const [finding] = findings(sql, ORDERS);
      expect(finding!.noFixReason).toBeUndefined();
      const [fix] = finding!.fixes;
      expect(fix!.title).toBe('Run it in batches of 5000 rows that each commit (a DO block walking orders by id)');
      expect(fix!.preferred).toBe(true);
      expect(fix!.autoApplicable).toBe(false);
      const fixed = applyFix(sql, fix!);
      expect(fixed).toBe(`ALTER TABLE orders ADD COLUMN note text;\n${BATCHED_UPDATE}\nSELECT 1;\n`);
      expect(lint(fixed, ORDERS).filter((after) => after.severity === 'error')).toEqual([]);
    });

    it('moves it into a new goose migration without a transaction when goose wraps the file in one', () => {
      // Beside another statement: the only one of its section stays, under NO TRANSACTION (rules/fixes/in-place-opt-out.test.ts).
      const sql = "-- +goose Up\nUPDATE orders SET status = 'new' WHERE status IS NULL;\nSELECT 1;\n\n-- +goose Down\nSELECT 1;\n";
      const options = { ...ORDERS, filePath: 'db/migrations/00005_backfill.sql' };
      const [fix] = findings(sql, options)[0]!.fixes;
      expect(fix!.title).toBe('Run it in batches of 5000 rows that each commit (a DO block walking orders by id) in a new migration, 00006_batched_update_orders.sql');
      expect(applyFix(sql, fix!)).toBe('-- +goose Up\nSELECT 1;\n\n-- +goose Down\nSELECT 1;\n');
      expect(fix!.createFiles).toEqual([
        {
          path: '00006_batched_update_orders.sql',
          text: `-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\n${BATCHED_UPDATE}\n-- +goose StatementEnd\n\n-- +goose Down\n-- The rollback of \`DO $$\`, if it needs one.\n`,
        },
      ]);
    });

    it.each([
      ['no key is known', "UPDATE items SET status = 'new';", {}, "Lockguard does not know items's primary key"],
      ['the key has two columns', "UPDATE lines SET status = 'new';", { priorSchema: schemaAfter(buildStatements('CREATE TABLE lines (order_id int, n int, status text, PRIMARY KEY (order_id, n));', parser, defaultOptions())) }, 'no single-column primary key'],
      ['a FROM clause', 'UPDATE orders o SET total = p.total FROM payments p WHERE p.order_id = o.id;', ORDERS, 'has a FROM clause'],
      ['RETURNING', 'DELETE FROM orders WHERE status IS NULL RETURNING id;', ORDERS, 'has RETURNING'],
      ['a WITH clause', "WITH s AS (SELECT 'x' AS v) UPDATE orders SET status = (SELECT v FROM s);", ORDERS, 'has a WITH clause'],
      ['a subquery on the table itself', 'DELETE FROM orders WHERE id NOT IN (SELECT min(id) FROM orders GROUP BY status);', ORDERS, 'reads orders itself'],
      ['the key is changed', "UPDATE orders SET id = nextval('orders_id_seq');", ORDERS, "changes orders's key id"],
      ['a value computed from itself (not idempotent)', 'UPDATE orders SET total = total * 100 WHERE total IS NOT NULL;', ORDERS, 'computes total from its own value'],
      ['a swap of two columns', 'UPDATE orders SET (status, note) = (note, status);', ORDERS, 'computes status from its own value'],
      ['PostgreSQL 10', "UPDATE orders SET status = 'new';", { ...ORDERS, pgVersion: 10 }, 'from version 11'],
      [
        'a later statement of the transaction uses the table',
        "BEGIN;\nUPDATE orders SET status = 'new' WHERE status IS NULL;\nALTER TABLE orders ALTER status SET NOT NULL;\nCOMMIT;",
        ORDERS,
        'A later statement of this migration uses orders (line 3)',
      ],
    ])('no fix when %s', (_name, sql, options, reason) => {
      const [finding] = findings(`${sql}\n`, options);
      expect(finding!.severity).toBe('error');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toContain(reason);
    });
  });
});

// Review round 5 #13 (authelia V0005.ConsentSubjectNULL.up.sql): Authelia runs every pending migration in one
// transaction and has no way out of it, so "outside a transaction block" needs its own route.
describe(`${RULE}: under a runner with no way out of its transaction`, () => {
  it("says what the framework offers instead (Authelia: by hand, before or after the upgrade)", () => {
    const options = { ...ORDERS, filePath: 'internal/storage/migrations/postgres/V0005.ConsentSubjectNULL.up.sql' };
    const [finding] = findings('DELETE FROM orders WHERE status IS NULL;', options);
    expect(finding!.message).toMatch(/outside a transaction block\. Authelia runs every pending migration in one transaction and has no way to run one outside it/);
  });

  it('adds nothing where the framework has a way out (goose)', () => {
    const [finding] = findings('-- +goose Up\nDELETE FROM orders WHERE status IS NULL;\n', { ...ORDERS, filePath: 'db/migrations/00005_backfill.sql' });
    expect(finding!.message).toMatch(/outside a transaction block\.$/);
  });
});

// Review round 9 #13 (dbmate-bionic-gpt): a cast of the column selects by its value just as the bare column does.
describe(`${RULE}: a WHERE that casts the column`, () => {
  it.each([["status::text = 'done'"], ["CAST(status AS text) = 'done'"], ["'done' = status::text"], ["id::text = '5'"]])('treats %s like the bare column', (where) => {
    expect(findings(`DELETE FROM orders WHERE ${where};\n`, ORDERS)).toEqual([]);
    expect(findings(`UPDATE orders SET total = 0 WHERE ${where};\n`, ORDERS)).toEqual([]);
  });

  it('still reports a cast compared by range', () => {
    expect(findings("DELETE FROM orders WHERE status::text > 'a';\n", ORDERS)).toHaveLength(1);
  });
});
