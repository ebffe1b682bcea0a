import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'foreign-key-without-index';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);
const CREATE = 'CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id), sku text);';

describe(RULE, () => {
  it('flags a foreign key of a new table that no index covers, and adds the index after it', () => {
    const [finding, ...others] = findings(CREATE);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toMatch(/No index of this migration covers order_lines \(order_id\).*every DELETE on orders/);
    expect(finding!.lock).toBeUndefined();
    expect(textOf(CREATE, finding!)).toBe('REFERENCES');
    const fixed = applyFix(CREATE, finding!.fixes[0]!);
    expect(fixed).toBe(`${CREATE}\nCREATE INDEX order_lines_order_id_idx ON order_lines (order_id);`);
    expect(ruleIds(fixed)).toEqual([]);
    expect(ruleIds(CREATE)).toEqual([RULE]);
  });

  it('flags a table-level composite key, underlining through REFERENCES', () => {
    const sql = 'CREATE TABLE l (a int, b int, CONSTRAINT l_fk FOREIGN KEY (a, b) REFERENCES p (x, y));';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('CONSTRAINT l_fk FOREIGN KEY (a, b) REFERENCES');
    expect(applyFix(sql, finding!.fixes[0]!)).toBe(`${sql}\nCREATE INDEX l_a_b_idx ON l (a, b);`);
  });

  it('flags a foreign key on a column the file adds to an existing table, indexing it concurrently', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN coupon_id int;\nALTER TABLE orders ADD CONSTRAINT orders_coupon_fk FOREIGN KEY (coupon_id) REFERENCES coupons NOT VALID;\n';
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe(`${sql}CREATE INDEX CONCURRENTLY orders_coupon_id_idx ON orders (coupon_id);\n`.replace(';\n\nCREATE', ';\nCREATE'));
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('inside BEGIN … COMMIT, creates the index concurrently after COMMIT; wrapped by a tool, explains', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN coupon_id int REFERENCES coupons;\nCOMMIT;\n';
    const fix = findings(sql)[0]!.fixes[0]!;
    expect(fix.title).toMatch(/after COMMIT/);
    expect(applyFix(sql, fix)).toBe(`${sql.trimEnd()}\n\nCREATE INDEX CONCURRENTLY orders_coupon_id_idx ON orders (coupon_id);\n`);
    const [wrapped] = findings('-- migrate:up\nALTER TABLE orders ADD COLUMN coupon_id int REFERENCES coupons;\n');
    expect(wrapped!.noFixReason).toMatch(/dbmate runs this whole file in one transaction/);
  });

  it.each([
    ['an index created later in the file', `${CREATE}\nCREATE INDEX ON order_lines (order_id);`],
    ['an index leading with the columns', `${CREATE}\nCREATE INDEX i ON order_lines (order_id, sku);`],
    ['the primary key leads with them', 'CREATE TABLE l (order_id int REFERENCES orders, n int, PRIMARY KEY (order_id, n));'],
    ['a unique column', 'CREATE TABLE l (order_id int UNIQUE REFERENCES orders);'],
    ['a composite index in another order', 'CREATE TABLE l (a int, b int, FOREIGN KEY (a, b) REFERENCES p);\nCREATE INDEX i ON l (b, a);'],
    ['the column predates the file (an index may exist)', 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it.each([
    ['an index that does not lead with the columns', `${CREATE}\nCREATE INDEX i ON order_lines (sku, order_id);`],
    ['an index on another table', `${CREATE}\nCREATE INDEX i ON other (order_id);`],
    ['an expression index', `${CREATE}\nCREATE INDEX i ON order_lines ((order_id + 0));`],
  ])('still flags: %s', (_name, sql) => {
    expect(findings(sql)).toHaveLength(1);
  });
});

// Review round 5 #42 (graphile-migrate-sushii-db 000001.sql:114): the primary key (guild_id, user_id) covers the
// foreign key (guild_id, case_id) only in part, so a check reads one guild's rows, not the whole table.
describe('foreign-key-without-index: an index that covers only the leading columns', () => {
  const sql =
    'CREATE TABLE mod_logs (guild_id bigint, case_id bigint, PRIMARY KEY (guild_id, case_id));\n' +
    'CREATE TABLE mutes (guild_id bigint, user_id bigint, case_id bigint, PRIMARY KEY (guild_id, user_id), FOREIGN KEY (guild_id, case_id) REFERENCES mod_logs (guild_id, case_id));\n';

  it('says which columns are covered and what a check then reads', () => {
    const [finding, ...others] = findingsOf('foreign-key-without-index', sql);
    expect(others).toEqual([]);
    expect(finding!.message).toMatch(/^The indexes of this migration cover only \(guild_id\) of mutes \(guild_id, case_id\)/);
    expect(finding!.message).toContain('reads every row of mutes with the same guild_id');
    expect(finding!.message).not.toContain('scans');
  });

  it('is quiet once an index covers every column, in any order', () => {
    expect(findingsOf('foreign-key-without-index', `${sql}CREATE INDEX ON mutes (case_id, guild_id);\n`)).toEqual([]);
  });
});

// Review round 8 #42 (graphile-migrate-sushii-db committed/000001.sql): graphile-migrate checks a committed migration's
// hash before running it, so a fix that edits the file would make every new database fail.
describe('foreign-key-without-index: a committed graphile-migrate migration', () => {
  const sql =
    '--! Previous: -\n--! Hash: sha1:0000000000000000000000000000000000000001\n\n' +
    'create table mod_logs (guild_id bigint not null, case_id bigint not null, primary key (guild_id, case_id));\n' +
    'create table mutes (guild_id bigint not null, user_id bigint not null, case_id bigint, primary key (guild_id, user_id),\n' +
    '  constraint fk_mod_action foreign key (guild_id, case_id) references mod_logs (guild_id, case_id));\n';

  it('offers no edit of the committed file, and points to current.sql', () => {
    const [finding] = findingsOf('foreign-key-without-index', sql, { filePath: 'db/migrations/committed/000001.sql' });
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain("graphile-migrate checks a committed migration's `--! Hash:` before running it");
    expect(finding!.noFixReason).toContain('Make the change in migrations/current.sql.');
  });

  it('offers it in current.sql', () => {
    const [finding] = findingsOf('foreign-key-without-index', sql.replace(/^--!.*\n/gm, ''), { filePath: 'db/migrations/current.sql' });
    expect(finding!.fixes.length).toBeGreaterThan(0);
  });
});
