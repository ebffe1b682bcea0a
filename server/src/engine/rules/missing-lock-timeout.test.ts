import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'missing-lock-timeout';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);

function fixed(sql: string): string {
  const [finding] = findings(sql);
  return applyFix(sql, finding!.fixes[0]!);
}

describe(RULE, () => {
  describe('a blocking lock on an existing table without lock_timeout: one warning per file, at the first one', () => {
    it.each([
      ['ALTER TABLE', 'ALTER TABLE orders ADD COLUMN note text;', 'ACCESS EXCLUSIVE', 'ALTER TABLE', 'every read and write on orders queues'],
      ['a foreign key', 'ALTER TABLE orders ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES t (id) NOT VALID;', 'SHARE ROW EXCLUSIVE', 'ALTER TABLE', 'every write (INSERT, UPDATE, DELETE) on orders queues'],
      ['CREATE TRIGGER', 'CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();', 'SHARE ROW EXCLUSIVE', 'CREATE TRIGGER', 'every write'],
      ['DROP TABLE', 'DROP TABLE orders;', 'ACCESS EXCLUSIVE', 'DROP TABLE', 'every read and write'],
      ['a new table referencing an existing one', 'CREATE TABLE items (order_id int REFERENCES orders (id));', 'SHARE ROW EXCLUSIVE', 'CREATE TABLE', 'every write'],
    ])('%s', (_name, statement, mode, range, impact) => {
      const sql = `${statement}\n`;
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe(range);
      expect(finding!.message).toContain(`takes ${mode} on orders with no lock_timeout set`);
      expect(finding!.message).toContain(impact);
      expect(finding!.lock).toMatchObject({ mode, relation: { name: 'orders' } });
    });

    // drizzle-sim 0028_absent_triton.sql: a long SELECT does not hold up SHARE ROW EXCLUSIVE; a writer does.
    it('says who makes it wait: any query for ACCESS EXCLUSIVE, writers for the modes plain reads do not conflict with', () => {
      const [exclusive] = findings('ALTER TABLE orders ADD COLUMN note text;\n');
      expect(exclusive!.message).toContain('If a long query or an idle transaction holds any lock on orders, the statement waits for it');
      const [shareRowExclusive] = findings('CREATE TABLE items (order_id int REFERENCES orders (id));\n');
      expect(shareRowExclusive!.message).toContain(
        'If a long write or an idle transaction that wrote to orders holds its lock (plain reads do not get in the way), the statement waits for it',
      );
      expect(shareRowExclusive!.message).not.toContain('any lock');
    });

    it('reports once, listing the other statements', () => {
      const sql = 'ALTER TABLE orders ADD COLUMN a text;\nSELECT 1;\nALTER TABLE payments ADD COLUMN b text;\nDROP TABLE old_orders;\n';
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.statementIndex).toBe(0);
      expect(finding!.message).toContain('2 more statements (lines 3 and 4) also lock without a timeout');
      expect(finding!.related.map((related) => sql.slice(related.range.start, related.range.end))).toEqual(['ALTER TABLE', 'DROP TABLE']);
    });

    it('lists the first five others by line', () => {
      const sql = Array.from({ length: 8 }, (_, i) => `ALTER TABLE orders ADD COLUMN c${i} text;`).join('\n');
      expect(findings(sql)[0]!.message).toContain('7 more statements (lines 2, 3, 4, 5, 6 and 2 more) also lock without a timeout');
      expect(findings('ALTER TABLE a ADD COLUMN x text;\nALTER TABLE b ADD COLUMN y text;')[0]!.message).toContain('The statement on line 2 also locks without a timeout');
      const many = Array.from({ length: 30 }, (_, i) => `ALTER TABLE orders ADD COLUMN c${i} text;`).join('\n');
      expect(findings(many)[0]!.related).toHaveLength(20);
    });

    // Accuracy round 7 #52 (goose-bitmagnet 00007_torrent_hints.sql): the rollback does not run on apply.
    it.each([
      ['goose', '-- +goose Up\nALTER TABLE orders ADD COLUMN a text;\n\n-- +goose Down\nALTER TABLE orders DROP COLUMN a;\nALTER TABLE payments DROP COLUMN b;\n'],
      ['dbmate', '-- migrate:up\nALTER TABLE orders ADD COLUMN a text;\n\n-- migrate:down\nALTER TABLE orders DROP COLUMN a;\nALTER TABLE payments DROP COLUMN b;\n'],
    ])('lists no statement of the rollback section, and the fix covers exactly the listed ones (%s)', (_name, sql) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.message).not.toContain('also lock');
      expect(finding!.related).toEqual([]);
      expect(finding!.fixes[0]!.edits).toHaveLength(1);
      expect(fixed(sql)).toBe(sql.replace('ALTER TABLE orders ADD COLUMN a text;', "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;"));
    });

    it('reports the applied statement even when the rollback section comes first', () => {
      const sql = '-- +goose Down\nALTER TABLE orders DROP COLUMN a;\n-- +goose Up\nALTER TABLE orders ADD COLUMN a text;\n';
      expect(fixed(sql)).toBe("-- +goose Down\nALTER TABLE orders DROP COLUMN a;\n-- +goose Up\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;\n");
    });

    it('sets the timeout in each Liquibase changeset it lists: a SET LOCAL ends with its changeset', () => {
      const sql = '--liquibase formatted sql\n--changeset a:1\nALTER TABLE orders ADD COLUMN a text;\n--changeset a:2\nALTER TABLE payments ADD COLUMN b text;\n';
      expect(findings(sql)[0]!.message).toContain('The statement on line 5 also locks without a timeout');
      const after = fixed(sql);
      expect(after).toBe(
        "--liquibase formatted sql\n--changeset a:1\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;\n--changeset a:2\nSET LOCAL lock_timeout = '2s';\nALTER TABLE payments ADD COLUMN b text;\n",
      );
      expect(findings(after)).toEqual([]);
    });

    it('says when lock_timeout = 0 turns it off, and when the timeout comes too late', () => {
      expect(findings("SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN a text;\n")[0]!.message).toContain('line 1 sets lock_timeout to 0, which turns it off');
      expect(findings("ALTER TABLE orders ADD COLUMN a text;\nSET lock_timeout = '1s';\nALTER TABLE orders ADD COLUMN b text;\n")[0]!.message).toContain(
        'The lock_timeout of line 2 comes after this statement',
      );
    });
  });

  describe('quiet when a timeout is in force', () => {
    it.each([
      ['SET', "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;"],
      ['SET TO, in milliseconds', 'SET lock_timeout TO 500;\nALTER TABLE orders ADD COLUMN a text;'],
      ['SET LOCAL in the same transaction', "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;\nCOMMIT;"],
      ['SET LOCAL in a migration the tool wraps', "-- migrate:up\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;"],
      ['set_config', "SELECT set_config('lock_timeout', '3s', false);\nALTER TABLE orders ADD COLUMN a text;"],
      ['a session SET inside an earlier committed block', "BEGIN;\nSET lock_timeout = '2s';\nCOMMIT;\nALTER TABLE orders ADD COLUMN a text;"],
      ['a templated value', 'SET lock_timeout = ${lockTimeout};\nALTER TABLE orders ADD COLUMN a text;'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });
  });

  describe('follows SET LOCAL and ROLLBACK semantics', () => {
    it.each([
      ['SET LOCAL ends with its transaction', "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nALTER TABLE orders ADD COLUMN a text;"],
      ['SET LOCAL outside a transaction does nothing', "SET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;"],
      ['set_config(…, true) outside a transaction does nothing', "SELECT set_config('lock_timeout', '2s', true);\nALTER TABLE orders ADD COLUMN a text;"],
      ['a rolled-back SET is undone', "BEGIN;\nSET lock_timeout = '2s';\nROLLBACK;\nALTER TABLE orders ADD COLUMN a text;"],
      ['RESET', "SET lock_timeout = '2s';\nRESET lock_timeout;\nALTER TABLE orders ADD COLUMN a text;"],
      ['RESET ALL', "SET lock_timeout = '2s';\nRESET ALL;\nALTER TABLE orders ADD COLUMN a text;"],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toHaveLength(1);
    });
  });

  describe('quiet where no traffic can queue', () => {
    it.each([
      ['a table created in the file', 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a text;\nCREATE INDEX t_a_idx ON t (a);'],
      ['CONCURRENTLY forms', 'CREATE INDEX CONCURRENTLY i ON orders (a);\nDROP INDEX CONCURRENTLY j;'],
      ['locks that let reads and writes continue', 'ALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMENT ON TABLE orders IS $$x$$;\nALTER TABLE orders SET (fillfactor = 70);'],
      ['data changes', 'UPDATE orders SET a = 1 WHERE id = 2;\nINSERT INTO orders (id) VALUES (1);'],
      ['REFRESH MATERIALIZED VIEW CONCURRENTLY: EXCLUSIVE lets reads through, and nothing else touches a view', 'REFRESH MATERIALIZED VIEW CONCURRENTLY totals;'],
      ['a statement that fails at once in its transaction', 'BEGIN;\nVACUUM FULL orders;\nCOMMIT;'],
      ['LOCK TABLE … NOWAIT', 'BEGIN;\nLOCK TABLE orders IN ACCESS EXCLUSIVE MODE NOWAIT;\nCOMMIT;'],
      [
        'statements other rules ask to run CONCURRENTLY, which then takes no blocking lock',
        'CREATE INDEX i ON orders (a);\nDROP INDEX j;\nREINDEX TABLE orders;\nREFRESH MATERIALIZED VIEW totals;\nALTER TABLE events DETACH PARTITION events_2020;',
      ],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });
  });

  describe('the fix', () => {
    it('inserts a session SET in autocommit, on its own line before the statement', () => {
      const sql = '-- add a note\nALTER TABLE orders ADD COLUMN note text;\n';
      const [finding] = findings(sql);
      expect(finding!.fixes[0]).toMatchObject({ preferred: true, autoApplicable: false });
      expect(applyFix(sql, finding!.fixes[0]!)).toBe("-- add a note\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;\n");
    });

    it('inserts SET LOCAL inside each transaction that needs it, after the previous statement (comments stay with theirs)', () => {
      const sql = 'BEGIN;\n-- lockguard-ignore missing-statement-timeout: quick\nALTER TABLE orders ADD COLUMN a text;\nCOMMIT;\nBEGIN;\n  ALTER TABLE orders DROP COLUMN b;\nCOMMIT;\n';
      const [finding] = findings(sql);
      expect(finding!.fixes[0]).toMatchObject({ title: "Set lock_timeout = '2s' before the blocking statements (2 places)", autoApplicable: true });
      expect(applyFix(sql, finding!.fixes[0]!)).toBe(
        "BEGIN;\nSET LOCAL lock_timeout = '2s';\n-- lockguard-ignore missing-statement-timeout: quick\nALTER TABLE orders ADD COLUMN a text;\nCOMMIT;\nBEGIN;\n  SET LOCAL lock_timeout = '2s';\n  ALTER TABLE orders DROP COLUMN b;\nCOMMIT;\n",
      );
    });

    it('one SET LOCAL covers a file the migration tool wraps', () => {
      const sql = '-- migrate:up\nALTER TABLE orders ADD COLUMN a text;\nALTER TABLE payments ADD COLUMN b text;\n';
      expect(fixed(sql)).toBe("-- migrate:up\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;\nALTER TABLE payments ADD COLUMN b text;\n");
    });

    it('counts VACUUM FULL in autocommit, where it runs', () => {
      expect(findings('VACUUM FULL orders;')).toHaveLength(1);
    });

    it('still counts REINDEX and DETACH PARTITION where PostgreSQL has no CONCURRENTLY form for them', () => {
      expect(findings('REINDEX TABLE orders;', { pgVersion: 11 })).toHaveLength(1);
      expect(findings('ALTER TABLE events DETACH PARTITION events_2020;', { pgVersion: 13 })).toHaveLength(1);
    });

    it('handles statements sharing a line', () => {
      expect(fixed('BEGIN; ALTER TABLE orders ADD COLUMN a text; COMMIT;')).toBe("BEGIN; SET LOCAL lock_timeout = '2s'; ALTER TABLE orders ADD COLUMN a text; COMMIT;");
    });

    it.each([
      ['autocommit', 'ALTER TABLE orders ADD COLUMN a text;\nDROP TABLE old_orders;\n'],
      ['transactions', 'BEGIN;\nALTER TABLE orders ADD COLUMN a text;\nCOMMIT;\nBEGIN;\nDROP TABLE old_orders;\nCOMMIT;\n'],
      ['a zero timeout', 'SET lock_timeout = 0;\nALTER TABLE orders ADD COLUMN a text;\n'],
    ])('leaves nothing to report and no syntax error (%s)', (_name, sql) => {
      expect(lint(fixed(sql)).filter((finding) => finding.ruleId === RULE || finding.ruleId === 'syntax-error')).toEqual([]);
    });
  });
});

describe(`${RULE}: concurrent statements after the fix`, () => {
  it('resets the timeout before a CONCURRENTLY statement and sets it again after', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN a text;\nCREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);\nALTER TABLE orders ADD COLUMN b text;\n';
    const [finding] = findingsOf(RULE, sql);
    expect(applyFix(sql, finding!.fixes[0]!)).toBe(
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;\nRESET lock_timeout;\nCREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN b text;\n",
    );
  });
});
