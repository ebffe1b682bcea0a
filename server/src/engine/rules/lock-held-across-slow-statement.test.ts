import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'lock-held-across-slow-statement';
const block = (...statements: string[]) => ['BEGIN;', ...statements, 'COMMIT;', ''].join('\n');
const ADD_COLUMN = 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;';
const ADD_CHECK = 'ALTER TABLE orders ADD CONSTRAINT orders_discount_check CHECK (discount >= 0) NOT VALID;';
const VALIDATE = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;';
const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));
/** Tables of an earlier migration, as in Ory Kratos' flows (cookie_flow_request_url). */
const FLOWS_SQL = [
  'CREATE TABLE login_flows (id uuid PRIMARY KEY, request_url varchar(2048) NOT NULL, attempts int, issued_at timestamp, code varchar(10), state text);',
  'CREATE TABLE recovery_flows (id uuid PRIMARY KEY, request_url varchar(2048) NOT NULL);',
  'CREATE TABLE settings_flows (id uuid PRIMARY KEY, code varchar(10), total numeric(10,2));',
  'CREATE TABLE verification_flows (id uuid PRIMARY KEY, request_url varchar(2048) NOT NULL);',
].join('\n');
const FLOWS = priorSchemaOf(FLOWS_SQL);
/** A change that holds ACCESS EXCLUSIVE on recovery_flows until COMMIT. */
const HELD = 'ALTER TABLE recovery_flows ALTER COLUMN request_url TYPE text;';
/** alter-column-type reports a known rewrite itself, and this rule's finding then joins it: here it is on its own. */
const ON_ITS_OWN = { 'alter-column-type': 'off' } as const;

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
    expect(finding!.message).toMatch(/took on orders, customers, payments, refunds, invoices and 2 more tables is still held, as are weaker locks on ledger \(locks last until COMMIT\)/);
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
    expect(finding!.message).toMatch(/took on customers is still held, as are weaker locks on ledger, payments \(locks last until COMMIT\)/);
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

  describe('ALTER COLUMN … TYPE', () => {
    it('takes a change the current type reaches without converting a value for the catalog change it is', () => {
      const sql = block(
        HELD,
        'ALTER TABLE login_flows ALTER COLUMN request_url TYPE varchar(4096);',
        'ALTER TABLE settings_flows ALTER COLUMN code TYPE varchar(20), ALTER COLUMN total TYPE numeric(12,2);',
        'ALTER TABLE verification_flows ALTER COLUMN request_url TYPE varchar USING request_url::varchar;',
      );
      expect(findingsOf(RULE, sql, { priorSchema: FLOWS })).toEqual([]);
      // Without the earlier migrations the current types are unknown: each change may rewrite its table.
      expect(findingsOf(RULE, sql).map((finding) => finding.message)).toEqual([
        expect.stringMatching(/^This statement rewrites login_flows while the ACCESS EXCLUSIVE lock an earlier statement of this transaction took on recovery_flows is/),
        expect.stringMatching(/^This statement rewrites settings_flows while .* took on recovery_flows, login_flows is/),
        expect.stringMatching(/^This statement rewrites verification_flows while .* took on recovery_flows, login_flows, settings_flows is/),
      ]);
    });

    it('still holds the ACCESS EXCLUSIVE of a free change across a later slow statement', () => {
      const sql = block(HELD, 'CREATE INDEX login_flows_state_idx ON login_flows (state);');
      const [finding, ...others] = findingsOf(RULE, sql, { priorSchema: FLOWS, rules: { 'create-index-without-concurrently': 'off' } });
      expect(others).toEqual([]);
      expect(finding!.message).toMatch(/^This statement builds an index on login_flows while the ACCESS EXCLUSIVE lock .* on recovery_flows is still held/);
      expect(finding!.related.map((related) => related.message)).toEqual(['ACCESS EXCLUSIVE on recovery_flows taken here; held until COMMIT']);
    });

    it.each([
      ['int → bigint', 'ALTER TABLE login_flows ALTER COLUMN attempts TYPE bigint;', FLOWS],
      ['timestamp → timestamptz', 'ALTER TABLE login_flows ALTER COLUMN issued_at TYPE timestamptz;', FLOWS],
      ['varchar(10) → varchar(5)', 'ALTER TABLE login_flows ALTER COLUMN code TYPE varchar(5);', FLOWS],
      ['text → varchar(n)', 'ALTER TABLE login_flows ALTER COLUMN state TYPE varchar(20);', FLOWS],
      ['an unknown current type', 'ALTER TABLE login_flows ALTER COLUMN request_url TYPE text;', undefined],
      ['a USING that computes the value', 'ALTER TABLE login_flows ALTER COLUMN request_url TYPE text USING lower(request_url);', FLOWS],
      ['a new collation', 'ALTER TABLE login_flows ALTER COLUMN request_url TYPE text COLLATE "C";', FLOWS],
      [
        'a validated CHECK on the column, checked again',
        'ALTER TABLE login_flows ALTER COLUMN request_url TYPE text;',
        priorSchemaOf("CREATE TABLE login_flows (id uuid, request_url varchar(2048) CHECK (request_url <> ''));"),
      ],
    ])('stays slow: %s', (_name, change, priorSchema) => {
      const [finding, ...others] = findingsOf(RULE, block(HELD, change), { priorSchema, rules: ON_ITS_OWN });
      expect(others).toEqual([]);
      expect(finding!.message).toMatch(/^This statement rewrites login_flows while the ACCESS EXCLUSIVE lock an earlier statement of this transaction took on recovery_flows/);
    });

    it('takes timestamp → timestamptz in a UTC session for the catalog change it is, unless an index on the column is rebuilt', () => {
      const utc = block("SET LOCAL TIME ZONE 'UTC';", HELD, 'ALTER TABLE login_flows ALTER COLUMN issued_at TYPE timestamptz;');
      expect(findingsOf(RULE, utc, { priorSchema: FLOWS, pgVersion: 15, rules: ON_ITS_OWN })).toEqual([]);
      // Before PostgreSQL 12 the change rewrites the table whatever the session's TimeZone.
      expect(findingsOf(RULE, utc, { priorSchema: FLOWS, pgVersion: 11, rules: ON_ITS_OWN })).toHaveLength(1);
      const indexed = priorSchemaOf(`${FLOWS_SQL}\nCREATE INDEX login_flows_issued_at_idx ON login_flows (issued_at);`);
      expect(findingsOf(RULE, utc, { priorSchema: indexed, pgVersion: 15, rules: ON_ITS_OWN })).toHaveLength(1);
    });
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

// Review round 5 #47 (drizzle-sim 0194): a weaker lock is not listed as ACCESS EXCLUSIVE, an index is named as
// its table's, and Drizzle's migrator (one transaction for everything pending) gets its own way out.
describe('lock-held-across-slow-statement: what the message lists', () => {
  const sql = [
    'ALTER TABLE "member" ADD COLUMN "role" text;',
    'ALTER TABLE "member" ADD CONSTRAINT "member_ws_fk" FOREIGN KEY ("ws") REFERENCES "workspace" ("id") NOT VALID;',
    'DROP INDEX "member_user_unique";',
    'INSERT INTO "member" ("ws", "role") SELECT "id", \'owner\' FROM "workspace";',
    '',
  ].join('--> statement-breakpoint\n');

  it('names the tables held in the strongest mode, then the weaker ones, and ends with the runner\'s way out', () => {
    const [finding] = findingsOf('lock-held-across-slow-statement', sql, { filePath: 'packages/db/migrations/0194_careless_pete_wisdom.sql' });
    expect(finding!.message).toContain('took on member, the table of member_user_unique is still held, as are weaker locks on workspace (locks last until COMMIT)');
    expect(finding!.message).toMatch(/Drizzle's migrator always uses a transaction: run this statement outside it/);
    expect(finding!.message).not.toContain('Commit before it');
    expect(finding!.noFixReason).toMatch(/^Drizzle runs the whole file in one transaction, together with every other pending migration\./);
  });
});

// Review round 7 #47 (drizzle-sim 0172): an index the schema knows is named by its table, and a table held
// ACCESS EXCLUSIVE under one spelling is not listed again as held weaker under another.
it('lock-held-across-slow-statement: names a known index by its table, and each table once', async () => {
  const parser = await PostgresParser.load();
  const priorSchema = schemaAfter(buildStatements('CREATE TABLE chat (id int, a int);\nCREATE INDEX chat_a_idx ON chat (a);\nCREATE TABLE member (id int, ws int);\nCREATE TABLE workspace (id int PRIMARY KEY);', parser, defaultOptions()));
  const sql = [
    'DROP INDEX "chat_a_idx";',
    'ALTER TABLE "public"."member" ADD COLUMN "role" text;',
    'ALTER TABLE "member" ADD CONSTRAINT "member_ws_fk" FOREIGN KEY ("ws") REFERENCES "workspace" ("id") NOT VALID;',
    'INSERT INTO "member" ("ws", "role") SELECT "id", \'owner\' FROM "workspace";',
    '',
  ].join('--> statement-breakpoint\n');
  const [finding] = findingsOf('lock-held-across-slow-statement', sql, { filePath: 'packages/db/migrations/0172_x.sql', priorSchema });
  expect(finding!.message).toContain('took on public.chat, public.member is still held, as are weaker locks on workspace (locks last until COMMIT)');
});

// Review rounds 5 #80, 6 #44, 7 #43/#80: dropping a foreign key takes ACCESS EXCLUSIVE on the table it references
// too (test/postgres/schema-locks.test.ts), which only the schema shows.
describe(`${RULE}: the lock a dropped foreign key takes on the table it references`, () => {
  const TABLES = priorSchemaOf(
    'CREATE TABLE workspace (id bigint PRIMARY KEY, name text);\n' +
      'CREATE TABLE knowledge_base (id bigint PRIMARY KEY, workspace_id bigint CONSTRAINT kb_workspace_fk REFERENCES workspace);',
  );
  const SCAN_WORKSPACE = "UPDATE workspace SET name = lower(name) WHERE name <> '';";

  it.each([
    ['DROP CONSTRAINT', 'ALTER TABLE knowledge_base DROP CONSTRAINT kb_workspace_fk;'],
    ['DROP COLUMN of its column', 'ALTER TABLE knowledge_base DROP COLUMN workspace_id;'],
    ['DROP TABLE of its table', 'DROP TABLE knowledge_base;'],
  ])('names the referenced table as held after %s', (_, drop) => {
    const [finding, ...others] = findingsOf(RULE, block(drop, SCAN_WORKSPACE), { priorSchema: TABLES });
    expect(others).toEqual([]);
    expect(finding!.message).toContain('ACCESS EXCLUSIVE lock an earlier statement of this transaction took on knowledge_base, workspace is still held');
  });

  it('holds only the altered table when the dropped constraint is not a foreign key', () => {
    const [finding] = findingsOf(RULE, block('ALTER TABLE knowledge_base DROP CONSTRAINT knowledge_base_pkey;', SCAN_WORKSPACE), { priorSchema: TABLES });
    expect(finding!.message).toContain('took on knowledge_base is still held');
  });
});
