import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'lock-table';
const findings = (sql: string) => findingsOf(RULE, sql);
const inTransaction = (...statements: string[]) => ['BEGIN;', ...statements, 'COMMIT;', ''].join('\n');

describe(RULE, () => {
  describe('a lock followed only by fast statements: a warning naming the mode and what it blocks', () => {
    it.each([
      ['default mode', 'LOCK orders;', 'ACCESS EXCLUSIVE', 'every read and write on the table waits'],
      ['ACCESS EXCLUSIVE', 'LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;', 'ACCESS EXCLUSIVE', 'every read and write on the table waits'],
      ['EXCLUSIVE', 'LOCK TABLE orders IN EXCLUSIVE MODE;', 'EXCLUSIVE', 'writes (INSERT, UPDATE, DELETE) wait; plain reads continue'],
      ['SHARE ROW EXCLUSIVE', 'LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;', 'SHARE ROW EXCLUSIVE', 'writes (INSERT, UPDATE, DELETE) wait'],
      ['SHARE', 'lock table only orders in share mode;', 'SHARE', 'writes (INSERT, UPDATE, DELETE) wait'],
    ])('%s', (_name, statement, mode, impact) => {
      const sql = inTransaction(statement, 'ALTER TABLE orders ADD COLUMN note text;');
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe(statement.slice(0, -1));
      expect(finding!.lock).toMatchObject({ mode, relation: { name: 'orders' } });
      expect(finding!.message).toContain(`LOCK TABLE holds ${mode} on orders until the transaction commits: ${impact}`);
      expect(finding!.message).toContain('set a short lock_timeout first and keep the rest of the transaction fast');
    });
  });

  describe('a bounded wait followed only by fast statements: the safe form, not reported', () => {
    it.each([
      ['SET lock_timeout before the transaction', "SET lock_timeout = '2s';\nBEGIN;\nLOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;\nALTER TABLE orders ADD COLUMN archived_at timestamptz;\nCOMMIT;\n"],
      ['SET LOCAL lock_timeout in the transaction', inTransaction("SET LOCAL lock_timeout = '2s';", 'LOCK TABLE orders;', 'ALTER TABLE orders ADD COLUMN note text;')],
      ["set_config('lock_timeout', …)", inTransaction("SELECT set_config('lock_timeout', '2s', true);", 'LOCK TABLE orders;')],
      ['NOWAIT', inTransaction('LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE NOWAIT;', 'ALTER TABLE orders ADD COLUMN note text;')],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it.each([
      ['set to 0', "SET lock_timeout = 0;\nBEGIN;\nLOCK TABLE orders;\nCOMMIT;\n"],
      ['set after the lock', "BEGIN;\nLOCK TABLE orders;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\n"],
      ['SET LOCAL of an earlier transaction', "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nBEGIN;\nLOCK TABLE orders;\nCOMMIT;\n"],
      ['RESET before the lock', "SET lock_timeout = '2s';\nRESET lock_timeout;\nBEGIN;\nLOCK TABLE orders;\nCOMMIT;\n"],
    ])('but still warns when no timeout is in force: %s', (_name, sql) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe('LOCK TABLE orders');
      expect(finding!.message).toContain('set a short lock_timeout first');
    });

    it('and still reports slow work after the lock as an error: a timeout bounds the wait, not the hold', () => {
      const sql = "SET lock_timeout = '2s';\n" + inTransaction('LOCK TABLE orders IN SHARE MODE NOWAIT;', "UPDATE orders SET status = 'new' WHERE status IS NULL;");
      expect(findings(sql).map((finding) => finding.severity)).toEqual(['error']);
    });
  });

  describe('a lock held while the transaction does slow work: an error pointing at the slow statement', () => {
    it.each([
      ['backfill', "UPDATE orders SET status = 'new' WHERE status IS NULL;", 'touches rows of a table'],
      ['copy from another table', 'INSERT INTO orders_archive SELECT * FROM orders;', 'touches rows of a table'],
      ['index build', 'CREATE INDEX orders_status_idx ON orders (status);', 'builds an index'],
      ['validation scan on another table', 'ALTER TABLE payments VALIDATE CONSTRAINT payments_order_fk;', 'scans a whole table'],
      ['rewrite', 'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);', 'rewrites a whole table'],
    ])('%s', (_name, slowStatement, work) => {
      const sql = inTransaction('LOCK TABLE orders IN SHARE MODE;', 'SELECT 1;', slowStatement);
      const [finding] = findings(sql);
      expect(finding!.severity).toBe('error');
      expect(finding!.message).toContain(`The same transaction then runs line 4 (${slowStatement.slice(0, -1).slice(0, 49)}`);
      expect(finding!.message).toContain(`which ${work}`);
      expect(finding!.related).toHaveLength(1);
      expect(textOf(sql, { ...finding!, range: finding!.related[0]!.range })).toBe(slowStatement.slice(0, -1));
    });

    it('counts the rest of the file when the migration tool wraps it', () => {
      const [finding] = findings('-- migrate:up\nLOCK TABLE orders;\nDELETE FROM orders WHERE archived;\n');
      expect(finding!.severity).toBe('error');
    });

    it('counts the rest of the file in autocommit: LOCK TABLE only works when the runner wraps the file', () => {
      expect(findings('LOCK TABLE orders;\nUPDATE orders SET a = 1;\n')[0]!.severity).toBe('error');
    });
  });

  describe('stays a warning when the slow work is elsewhere', () => {
    it.each([
      ['after COMMIT', 'BEGIN;\nLOCK TABLE orders;\nCOMMIT;\nUPDATE orders SET a = 1;\n'],
      ['on a table created in the file', 'BEGIN;\nCREATE TABLE archive (a int);\nLOCK TABLE orders;\nUPDATE archive SET a = 1;\nCOMMIT;\n'],
      ['before the lock', 'BEGIN;\nUPDATE orders SET a = 1;\nLOCK TABLE orders;\nCOMMIT;\n'],
      ['in the next transaction', 'BEGIN;\nLOCK TABLE orders;\nCOMMIT;\nBEGIN;\nCREATE INDEX i ON orders (a);\nCOMMIT;\n'],
      ['only literal rows inserted', "BEGIN;\nLOCK TABLE orders;\nINSERT INTO orders (id) VALUES (1), (2);\nINSERT INTO audit DEFAULT VALUES;\nCOMMIT;\n"],
    ])('%s', (_name, sql) => {
      expect(findings(sql).map((finding) => finding.severity)).toEqual(['warning']);
    });
  });

  describe('stays quiet where reads and writes continue', () => {
    it.each([
      ['ACCESS SHARE', 'LOCK TABLE orders IN ACCESS SHARE MODE;'],
      ['ROW SHARE', 'LOCK TABLE orders IN ROW SHARE MODE;'],
      ['ROW EXCLUSIVE', 'LOCK TABLE orders IN ROW EXCLUSIVE MODE;'],
      ['SHARE UPDATE EXCLUSIVE', 'LOCK TABLE orders IN SHARE UPDATE EXCLUSIVE MODE;'],
      ['table created in the file', 'CREATE TABLE t (a int);\nLOCK TABLE t;\nINSERT INTO t SELECT 1;'],
      ['view created in the file over new tables', 'CREATE TABLE t (a int);\nCREATE TABLE u (a int);\nCREATE VIEW v AS SELECT * FROM t WHERE a IN (SELECT a FROM u);\nCREATE VIEW w AS SELECT * FROM v;\nLOCK TABLE w;'],
    ])('%s', (_name, statement) => {
      expect(findings(inTransaction(statement))).toEqual([]);
    });

    it('but flags a view the file created over a table in use: LOCK on a view locks its base tables too', () => {
      expect(findings(inTransaction('CREATE TABLE t (a int);\nCREATE VIEW v AS SELECT * FROM t JOIN orders USING (a);\nLOCK TABLE v;'))).toHaveLength(1);
    });
  });

  it('names every locked table in use', () => {
    const [finding] = findings(inTransaction('CREATE TABLE t (a int);', 'LOCK TABLE t, orders, app.payments IN EXCLUSIVE MODE;'));
    expect(finding!.message).toContain('holds EXCLUSIVE on orders, app.payments until');
  });

  it('leaves the slow statement itself to lock-held-across-slow-statement', () => {
    const sql = inTransaction('LOCK TABLE orders IN SHARE MODE;', 'UPDATE orders SET a = 1;');
    expect(lintWithoutHygiene(sql).map((finding) => [finding.ruleId, finding.statementIndex])).toEqual([
      [RULE, 1],
      ['lock-held-across-slow-statement', 2],
    ]);
  });
});

// Review round 5 #49/#50 (sql-migrate-goalert): the LOCK keeps a backfill and the triggers created after it
// consistent with concurrent writes; committing before the backfill would reopen that race.
describe('lock-table: slow work under the lock', () => {
  const backfill = 'INSERT INTO alert_state (alert_id) SELECT id FROM alerts;';

  it('offers the weaker mode that still holds off writes instead of committing early, for ACCESS EXCLUSIVE', () => {
    const [finding] = findingsOf('lock-table', `BEGIN;\nLOCK alerts;\n${backfill}\nCOMMIT;\n`);
    expect(finding!.message).toContain('If the lock only has to hold off writes while that work runs, IN EXCLUSIVE MODE does so and lets plain reads go on');
    expect(finding!.message).toMatch(/if the work does not need the lock, commit before it\.$/);
  });

  it('for a mode that already lets reads go on, asks to keep the work short', () => {
    const [finding] = findingsOf('lock-table', `BEGIN;\nLOCK alerts IN EXCLUSIVE MODE;\n${backfill}\nCOMMIT;\n`);
    expect(finding!.message).toContain('If the lock keeps that work consistent with concurrent writes, keep the work short');
  });
});

// Review round 6 #50 (goalert add-alert-dedup-keys): an ADD COLUMN of the same transaction takes ACCESS EXCLUSIVE on the
// table anyway, so a weaker LOCK would not let reads go on.
it('lock-table: does not offer a weaker mode when the transaction takes ACCESS EXCLUSIVE on the table anyway', () => {
  const [finding] = findingsOf('lock-table', 'BEGIN;\nLOCK alerts;\nALTER TABLE alerts ADD COLUMN dedup_key text;\nUPDATE alerts SET dedup_key = id::text;\nCOMMIT;\n');
  expect(finding!.message).not.toContain('IN EXCLUSIVE MODE');
  expect(finding!.message).toContain('keep the work short');
});
