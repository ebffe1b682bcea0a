import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'drop-index-without-concurrently';
const findings = (sql: string) => findingsOf(RULE, sql);
const ruleIds = (sql: string) => lint(sql).map((finding) => finding.ruleId);
const parser = await PostgresParser.load();
/** The schema the earlier migrations of a set leave, as the CLI and the editor pass it (`priorSchema`). */
const schemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));

describe(RULE, () => {
  describe('flags DROP INDEX without CONCURRENTLY and adds it in autocommit', () => {
    it.each([
      ['plain', 'DROP INDEX orders_status_idx;', 'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;'],
      ['if exists, qualified', 'drop index if exists app.orders_status_idx;', 'drop index CONCURRENTLY if exists app.orders_status_idx;'],
      ['quoted, comment inside', 'DROP /* old */ INDEX "Orders_Idx";', 'DROP /* old */ INDEX CONCURRENTLY IF EXISTS "Orders_Idx";'],
      ['restrict', 'DROP INDEX orders_status_idx RESTRICT;', 'DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx RESTRICT;'],
    ])('%s', (_name, sql, fixed) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', blocks: expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE', 'DELETE']) });
      const [fix] = finding!.fixes;
      expect(fix).toMatchObject({ preferred: true, autoApplicable: true });
      const result = applyFix(sql, fix!);
      expect(result).toBe(fixed);
      expect(lint(result)).toEqual([]);
    });
  });

  it('names the lock, the table it falls on and what waits, and underlines DROP … INDEX', () => {
    const sql = '-- cleanup\nDROP INDEX orders_status_idx;';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('DROP INDEX');
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on the table of orders_status_idx/);
    expect(finding!.message).toMatch(/every read and write/);
    expect(finding!.message).toMatch(/DROP INDEX CONCURRENTLY/);
  });

  it('names the table when the file created the index (on a table it did not create)', () => {
    const sql = 'CREATE INDEX CONCURRENTLY orders_tmp_idx ON orders (status);\nDROP INDEX orders_tmp_idx;';
    const [finding] = findings(sql);
    expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on orders (the table of orders_tmp_idx)');
  });

  describe('explains why there is no fix where DROP INDEX CONCURRENTLY would fail', () => {
    it.each([
      ['several indexes', 'DROP INDEX a_idx, b_idx;', /only one index per statement/],
      ['CASCADE', 'DROP INDEX a_idx CASCADE;', /does not support CASCADE/],
    ])('%s', (_name, sql, reason) => {
      const [finding] = findings(sql);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(reason);
    });
  });

  describe('inside a transaction, CONCURRENTLY must move after COMMIT', () => {
    it('moves the rewritten statement after COMMIT (not auto-applicable: it changes what commits together)', () => {
      const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nDROP INDEX IF EXISTS orders_status_idx;\nCOMMIT;\n';
      const [finding] = findings(sql);
      const [fix] = finding!.fixes;
      expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
      expect(fix!.title).toMatch(/after COMMIT/);
      const result = applyFix(sql, fix!);
      expect(result).toBe('BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n\nDROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;\n');
      expect(ruleIds(result)).not.toContain(RULE);
      expect(ruleIds(result)).not.toContain('concurrently-in-transaction');
    });

    it('gives no fix when the migration tool wraps the file, and says how to opt out', () => {
      const sql = '-- migrate:up\nUPDATE settings SET v = 1 WHERE k = 2;\nDROP INDEX orders_status_idx;\n';
      const [finding] = findings(sql);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/dbmate/);
    });

    it('when it is the only statement the migration tool wraps, drops in place and runs the file outside the transaction', () => {
      const sql = '-- migrate:up\nDROP INDEX orders_status_idx;\n';
      const [finding] = findings(sql);
      expect(applyFix(sql, finding!.fixes[0]!)).toBe('-- migrate:up transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS orders_status_idx;\n');
    });
  });

  describe('stays quiet where no one can be blocked', () => {
    it.each([
      ['already concurrent', 'DROP INDEX CONCURRENTLY orders_status_idx;'],
      ['named index of a table created in the file', 'CREATE TABLE t (id int, a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;'],
      ['unnamed index, default name', 'CREATE TABLE t (id int, a int, b int);\nCREATE INDEX ON t (a, b);\nDROP INDEX t_a_b_idx;'],
      ['qualified names', 'CREATE TABLE app.t (a int);\nCREATE INDEX t_a ON app.t (a);\nDROP INDEX app.t_a;'],
      ['primary key of a table created in the file', 'CREATE TABLE t (id int PRIMARY KEY);\nDROP INDEX t_pkey;'],
      ['other object types', 'DROP TABLE orders_old;'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('still flags an index the file created on a table that is in use: the table still gets ACCESS EXCLUSIVE', () => {
      expect(findings('CREATE INDEX CONCURRENTLY i ON orders (a);\nDROP INDEX i;')).toHaveLength(1);
    });

    it('still flags an index dropped before the file creates it, or in another schema', () => {
      expect(findings('DROP INDEX t_a;\nCREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);')).toHaveLength(1);
      expect(findings('CREATE TABLE a.t (x int);\nCREATE INDEX t_x ON a.t (x);\nDROP INDEX b.t_x;')).toHaveLength(1);
    });

    it('flags only the indexes that are in use, and then offers no fix for the list', () => {
      const [finding] = findings('CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a, orders_status_idx;');
      expect(finding!.message).toContain('the table of orders_status_idx');
      expect(finding!.message).not.toContain('t_a');
      expect(finding!.noFixReason).toMatch(/only one index/);
    });
  });

  describe('stays quiet where the drop makes nobody wait who was not waiting already', () => {
    it.each([
      ['the transaction holds ACCESS EXCLUSIVE on the table of an index the file creates again', 'BEGIN;\nALTER TABLE requests ADD COLUMN state text;\nDROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id) WHERE state = \'CREATED\';\nCOMMIT;'],
      ['the transaction holds ACCESS EXCLUSIVE on the table of an index the file created earlier', 'CREATE INDEX CONCURRENTLY orders_tmp ON orders (status);\nBEGIN;\nALTER TABLE orders DROP COLUMN note;\nDROP INDEX orders_tmp;\nCOMMIT;'],
      ['the table was renamed away earlier (the file rebuilds it under its name)', 'ALTER TABLE devices RENAME TO _bkp_devices;\nDROP INDEX IF EXISTS devices_kid_key;\nCREATE TABLE devices (id int, kid text);\nCREATE UNIQUE INDEX devices_kid_key ON devices (kid);'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('still flags it when the earlier lock is on another table, weaker, or released by a COMMIT', () => {
      const drop = 'DROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);';
      expect(findings(`BEGIN;\nALTER TABLE users ADD COLUMN state text;\n${drop}\nCOMMIT;`)).toHaveLength(1);
      expect(findings(`BEGIN;\nCREATE INDEX requests_user ON requests (user_id);\n${drop}\nCOMMIT;`)).toHaveLength(1);
      expect(findings(`BEGIN;\nALTER TABLE requests ADD COLUMN state text;\nCOMMIT;\nBEGIN;\n${drop}\nCOMMIT;`)).toHaveLength(1);
    });

    it('reads the table from the same section only: a down section re-creating the index says nothing about the up section', () => {
      const sql = '-- migrate:up\nALTER TABLE requests ADD COLUMN state text;\nDROP INDEX IF EXISTS created_requests;\n-- migrate:down\nCREATE UNIQUE INDEX created_requests ON requests (user_id);\n';
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.noFixReason).toMatch(/dbmate/);
    });

    it('still flags it when another table was renamed', () => {
      expect(findings('ALTER TABLE users RENAME TO people;\nDROP INDEX IF EXISTS devices_kid_key;\nCREATE UNIQUE INDEX devices_kid_key ON devices (kid);')).toHaveLength(1);
    });
  });

  describe('offers no fix that would move the drop after the re-creation of its index', () => {
    it('in a transaction: says why, instead of moving the drop after COMMIT', () => {
      const sql = 'BEGIN;\nALTER TABLE users ADD COLUMN state text;\nDROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);\nCOMMIT;\n';
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toBe('DROP INDEX');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/^Line 4 creates an index named created_requests again/);
      expect(finding!.noFixReason).toMatch(/CREATE INDEX CONCURRENTLY/);
    });

    it('in a migration tool\'s transaction: says why, instead of a new migration', () => {
      const [finding] = findings('-- migrate:up\nDROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);\n');
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/^Line 3 creates an index named created_requests again/);
    });

    it('in autocommit the in-place fix keeps the order, so it is still offered', () => {
      const sql = 'DROP INDEX IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);';
      const [fix] = findings(sql)[0]!.fixes;
      expect(applyFix(sql, fix!)).toBe('DROP INDEX CONCURRENTLY IF EXISTS created_requests;\nCREATE UNIQUE INDEX created_requests ON requests (user_id);');
    });
  });

  // docs/accuracy.md, round 2 #30 (sqitch-registry simplify-installment-schema-for-stripe.sql): the index's table comes from the schema history.
  describe('an index the earlier migrations made, on a table the transaction already locked or whose column it dropped', () => {
    const priorSchema = schemaOf(
      'CREATE SCHEMA registry;\nCREATE TABLE registry.scheduled_payments (id int PRIMARY KEY, status text, due_date date, note text);\n' +
        'CREATE INDEX idx_scheduled_payments_status ON registry.scheduled_payments (status);\n' +
        'CREATE INDEX idx_scheduled_payments_due_date ON registry.scheduled_payments (due_date);\n' +
        "CREATE INDEX idx_scheduled_payments_processing ON registry.scheduled_payments (status, due_date) WHERE status IN ('pending', 'failed');\n",
    );
    const droppedWithColumn =
      'BEGIN;\nSET search_path TO registry, public;\nALTER TABLE registry.scheduled_payments\n    DROP COLUMN due_date;\n' +
      'DROP INDEX IF EXISTS idx_scheduled_payments_due_date;\nDROP INDEX IF EXISTS idx_scheduled_payments_processing;\nCOMMIT;\n';

    it('is not reported when the dropped column took the index with it: IF EXISTS drops nothing', () => {
      expect(findingsOf(RULE, droppedWithColumn, { priorSchema })).toEqual([]);
      // A plain DROP INDEX of it fails ("does not exist") before taking any lock.
      expect(findingsOf(RULE, 'ALTER TABLE registry.scheduled_payments DROP COLUMN due_date;\nDROP INDEX registry.idx_scheduled_payments_due_date;', { priorSchema })).toEqual([]);
    });

    it('is not reported when an earlier statement of the transaction holds ACCESS EXCLUSIVE on the table the history gives it', () => {
      const sql = 'BEGIN;\nALTER TABLE registry.scheduled_payments ADD COLUMN paid_at timestamptz;\nDROP INDEX registry.idx_scheduled_payments_status;\nCOMMIT;\n';
      expect(findingsOf(RULE, sql, { priorSchema })).toEqual([]);
    });

    it('is still reported on a table not locked earlier, naming the table from the history', () => {
      const sql = 'BEGIN;\nALTER TABLE registry.payments ADD COLUMN paid_at timestamptz;\nDROP INDEX IF EXISTS registry.idx_scheduled_payments_status;\nCOMMIT;\n';
      const [finding, ...others] = findingsOf(RULE, sql, { priorSchema });
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toBe('DROP INDEX');
      expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on registry.scheduled_payments (the table of registry.idx_scheduled_payments_status)');
      expect(applyFix(sql, finding!.fixes[0]!)).toBe(
        'BEGIN;\nALTER TABLE registry.payments ADD COLUMN paid_at timestamptz;\nCOMMIT;\n\nDROP INDEX CONCURRENTLY IF EXISTS registry.idx_scheduled_payments_status;\n',
      );
    });

    // Review round 4 #29 (hydra 20220210000001000064_nid.postgres.up.sql): DROP INDEX locks its table, not only the index.
    it('reports only the first of two drops of the table\'s indexes in one transaction: the second waits for nothing new', () => {
      const sql = 'BEGIN;\nDROP INDEX registry.idx_scheduled_payments_status;\nDROP INDEX registry.idx_scheduled_payments_due_date;\nCOMMIT;\n';
      const lineOf = (finding: { range: { start: number } }) => sql.slice(0, finding.range.start).split('\n').length;
      const [first, ...others] = findingsOf(RULE, sql, { priorSchema });
      expect(others).toEqual([]);
      expect(lineOf(first!)).toBe(2);
      // Moving only the first drop out would leave the second to take the same lock.
      expect(first!.fixes).toEqual([]);
      expect(first!.noFixReason).toMatch(/^Line 3 drops another index of registry\.scheduled_payments in this transaction, under the same ACCESS EXCLUSIVE lock/);
      // A COMMIT between them releases the lock: both wait again.
      const committed = sql.replace('status;\n', 'status;\nCOMMIT;\nBEGIN;\n');
      expect(findingsOf(RULE, committed, { priorSchema })).toHaveLength(2);
      // Without a history, the file's own CREATE INDEX gives the table.
      const created = 'CREATE INDEX CONCURRENTLY a_idx ON t (a);\nCREATE INDEX CONCURRENTLY b_idx ON t (b);\nBEGIN;\nDROP INDEX a_idx;\nDROP INDEX b_idx;\nCOMMIT;\n';
      expect(findingsOf(RULE, created).map((finding) => created.slice(0, finding.range.start).split('\n').length)).toEqual([4]);
    });

    it('is still reported when the history does not know the index', () => {
      expect(findingsOf(RULE, droppedWithColumn).map((finding) => textOf(droppedWithColumn, finding))).toEqual(['DROP INDEX', 'DROP INDEX']);
    });
  });

  // docs/accuracy.md, round 2 #29 (supabase-auth 20220429102000_add_unique_idx.up.sql): a re-run guard before the index's first creation.
  // docs/accuracy.md, round 3 #30 (marquez V45__update_jobs_view_rule.sql): V43 made the index a constraint's, which renamed it.
  describe('an index an earlier migration dropped, or renamed with ADD CONSTRAINT … USING INDEX', () => {
    const v1 = schemaOf('CREATE TABLE jobs (uuid uuid PRIMARY KEY, name varchar NOT NULL, namespace_uuid uuid, parent_job_uuid uuid, UNIQUE (namespace_uuid, name));\n');
    const v43 = schemaAfter(
      buildStatements(
        'ALTER TABLE jobs DROP CONSTRAINT jobs_namespace_uuid_name_key;\n' +
          'CREATE UNIQUE INDEX IF NOT EXISTS jobs_namespace_uuid_name_parent ON jobs (name, namespace_uuid, parent_job_uuid);\n' +
          'CREATE UNIQUE INDEX IF NOT EXISTS jobs_namespace_uuid_name_null_parent ON jobs (name, namespace_uuid) WHERE parent_job_uuid IS NULL;\n' +
          'ALTER TABLE jobs ADD CONSTRAINT unique_jobs_namespace_uuid_name_parent UNIQUE USING INDEX jobs_namespace_uuid_name_parent;\n',
        parser,
        defaultOptions(),
      ),
      v1,
    );
    const priorSchema = schemaAfter(buildStatements('SELECT 1;', parser, defaultOptions()), v43);

    it('is not reported: the old name finds nothing, so no lock is taken (without IF EXISTS the drop fails before locking)', () => {
      expect(findingsOf(RULE, 'DROP INDEX IF EXISTS jobs_namespace_uuid_name_parent;', { priorSchema })).toEqual([]);
      expect(findingsOf(RULE, 'DROP INDEX IF EXISTS jobs_namespace_uuid_name_key;', { priorSchema })).toEqual([]);
      expect(findingsOf(RULE, 'DROP INDEX jobs_namespace_uuid_name_parent;', { priorSchema })).toEqual([]);
    });

    it('is still reported for an index that exists, naming its table', () => {
      const [finding, ...others] = findingsOf(RULE, 'DROP INDEX IF EXISTS jobs_namespace_uuid_name_null_parent;', { priorSchema });
      expect(others).toEqual([]);
      expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on public.jobs (the table of jobs_namespace_uuid_name_null_parent)');
    });
  });

  describe('DROP INDEX IF EXISTS of an index no migration made, before the file creates it', () => {
    const filePath = 'migrations/20220429102000_add_unique_idx.up.sql';
    const priorSchema = schemaOf('CREATE SCHEMA auth;\nCREATE TABLE auth.users (id uuid PRIMARY KEY, confirmation_token text);\nCREATE INDEX users_id_idx ON auth.users (id);\n');
    const guard = 'DROP INDEX IF EXISTS confirmation_token_idx;\nCREATE UNIQUE INDEX IF NOT EXISTS confirmation_token_idx ON auth.users USING btree (confirmation_token);\n';

    it('is not reported when the history shows the whole table and no index of that name: the guard drops nothing', () => {
      expect(findingsOf(RULE, guard, { filePath, priorSchema })).toEqual([]);
    });

    it('is still reported without IF EXISTS, without a history, when the history made the index, or when an unparsed earlier statement names it', () => {
      expect(findingsOf(RULE, guard.replace(' IF EXISTS', ''), { filePath, priorSchema })).toHaveLength(1);
      expect(findingsOf(RULE, guard, { filePath })).toHaveLength(1);
      const made = schemaOf('CREATE TABLE auth.users (id uuid PRIMARY KEY, confirmation_token text);\nCREATE INDEX confirmation_token_idx ON auth.users (confirmation_token);');
      expect(findingsOf(RULE, guard, { filePath, priorSchema: made })).toHaveLength(1);
      const madeUnparsed = 'CREATE INDEX IF NOT EXISTS confirmation_token_idx ON {{ index .Options "Namespace" }}.users (confirmation_token);\n';
      expect(findingsOf(RULE, madeUnparsed + guard, { filePath, priorSchema })).toHaveLength(1);
    });
  });

  describe('offers no move when a later statement the parser cannot read names the index (it may create it again)', () => {
    const filePath = 'migrations/20220429102000_add_unique_idx.up.sql';

    it('template placeholders: says so, instead of a new migration that would delete the index the file builds', () => {
      const sql =
        'DROP INDEX IF EXISTS confirmation_token_idx;\nDROP INDEX IF EXISTS recovery_token_idx;\n\n' +
        'CREATE UNIQUE INDEX IF NOT EXISTS confirmation_token_idx ON {{ index .Options "Namespace" }}.users USING btree (confirmation_token) WHERE confirmation_token !~ \'^[0-9 ]*$\';\n' +
        'CREATE UNIQUE INDEX IF NOT EXISTS recovery_token_idx ON {{ index .Options "Namespace" }}.users USING btree (recovery_token);\n';
      const [first, second, ...others] = findingsOf(RULE, sql, { filePath });
      expect(others).toEqual([]);
      expect(first!.severity).toBe('error');
      expect(textOf(sql, first!)).toBe('DROP INDEX');
      expect(first!.fixes).toEqual([]);
      expect(first!.noFixReason).toMatch(/^Line 4 also names confirmation_token_idx in a statement Lockguard cannot parse \(it uses template placeholders\), so this drop must stay before it/);
      expect(first!.noFixReason).toMatch(/would delete the new index/);
      expect(second!.fixes).toEqual([]);
      expect(second!.noFixReason).toMatch(/^Line 5 also names recovery_token_idx/);
    });

    it('a syntax error, a quoted name, or a parsed statement that renames another index to the name', () => {
      const reason = (sql: string) => findingsOf(RULE, `BEGIN;\nALTER TABLE users ADD COLUMN state text;\nDROP INDEX IF EXISTS "Token_Idx";\n${sql}\nCOMMIT;\n`)[0]!.noFixReason;
      expect(reason('CREATE UNIQUE INDEX "Token_Idx" ON users (token) WHERE;')).toMatch(/^Line 4 also names "Token_Idx" in a statement Lockguard cannot parse, so/);
      expect(reason('ALTER INDEX users_token_tmp RENAME TO "Token_Idx";')).toMatch(/^Line 4 also names "Token_Idx", so/);
    });

    it('still moves the drop when a later statement only names something like it, or names it in another section', () => {
      const moved = (sql: string) => findingsOf(RULE, `BEGIN;\nALTER TABLE users ADD COLUMN state text;\nDROP INDEX IF EXISTS token_idx;\n${sql}\nCOMMIT;\n`)[0]!.fixes;
      expect(moved('CREATE INDEX token_idx_2 ON {{ .Schema }}.users (token);')).toHaveLength(1);
      expect(moved('CREATE INDEX "TOKEN_IDX" ON users (token) WHERE;')).toHaveLength(1);
      const dbmate = '-- migrate:up\nALTER TABLE users ADD COLUMN state text;\nDROP INDEX IF EXISTS token_idx;\n-- migrate:down\nCREATE INDEX token_idx ON {{ .Schema }}.users (token);\n';
      expect(findingsOf(RULE, dbmate)[0]!.noFixReason).toMatch(/dbmate/);
    });
  });

  it('is the only rule that fires on a plain DROP INDEX, in or out of a transaction', () => {
    expect(ruleIds('DROP INDEX orders_status_idx;')).toEqual([RULE]);
    expect(ruleIds('BEGIN;\nDROP INDEX orders_status_idx;\nCOMMIT;')).toEqual([RULE]);
  });
});

// Review round 4 #30 (kratos 20241031094100000001_remaining_unused_indices.autocommit.up.sql): popx also runs a migration
// named without a database on SQLite, MySQL and CockroachDB, where DROP INDEX CONCURRENTLY does not parse (SQLite).
describe(`${RULE}: a pop/popx migration named without a database`, () => {
  const name = '20241031094100000001_remaining_unused_indices';
  const folder = ['20200101000000000000_init.postgres.up.sql', '20200101000000000000_init.postgres.down.sql', '20200101000000000000_init.sqlite3.up.sql'];
  const options = (file: string, siblings: readonly string[] = []) => ({ filePath: `persistence/sql/migrations/${file}`, listSiblings: () => [...folder, file, ...siblings] });
  const drop = 'DROP INDEX IF EXISTS identity_verification_tokens_nid_idx;\n';

  it('keeps the finding (the lock is real on PostgreSQL) but offers no in-place fix, and names the PostgreSQL copy popx would run instead', () => {
    const [finding, ...others] = findingsOf(RULE, drop, options(`${name}.autocommit.up.sql`));
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/^This migration names no database, so popx runs it on every database .* version 20241031094100000001/);
    expect(finding!.noFixReason).toContain(`a copy of this file named ${name}.postgres.autocommit.up.sql`);
  });

  it('in a transaction, does not move the drop into a new migration without a database either', () => {
    const [finding] = findingsOf(RULE, drop, options(`${name}.up.sql`));
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain(`a copy of this file named ${name}.postgres.up.sql`);
    expect(finding!.noFixReason).toMatch(/popx runs the copy in a transaction\): move it from the copy into a PostgreSQL migration of its own, alone, named `<version>_<name>\.postgres\.autocommit\.up\.sql`/);
  });

  // Review round 5 #22 (kratos …remaining_unused_indices.autocommit.up.sql, 56 statements): popx sends an
  // `.autocommit.` file as one query, one implicit transaction, so a copy of it cannot run CONCURRENTLY.
  it('in an .autocommit. file of several statements, says the copy runs them as one transaction', () => {
    const two = `${drop}DROP INDEX IF EXISTS identity_credentials_nid_idx;\n`;
    const [finding] = findingsOf(RULE, two, options(`${name}.autocommit.up.sql`));
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain('popx sends the copy as one query, which PostgreSQL runs as one transaction when it holds more than one statement');
  });

  it('says nothing when a PostgreSQL file of the same version replaces it: popx never runs it on PostgreSQL', () => {
    expect(findingsOf(RULE, drop, options(`${name}.autocommit.up.sql`, [`${name}.postgres.autocommit.up.sql`]))).toEqual([]);
    expect(findingsOf(RULE, drop, options(`${name}.autocommit.up.sql`, [`${name}.mysql.autocommit.up.sql`]))).toHaveLength(1);
  });

  it('still fixes in place a migration for PostgreSQL, and one in a folder whose migrations name no database', () => {
    const fixed = `DROP INDEX CONCURRENTLY IF EXISTS identity_verification_tokens_nid_idx;\n`;
    expect(applyFix(drop, findingsOf(RULE, drop, options(`${name}.postgres.autocommit.up.sql`))[0]!.fixes[0]!)).toBe(fixed);
    const plain = { filePath: `db/${name}.autocommit.up.sql`, listSiblings: () => [`${name}.autocommit.up.sql`, '20200101000000000000_init.up.sql'] };
    expect(applyFix(drop, findingsOf(RULE, drop, plain)[0]!.fixes[0]!)).toBe(fixed);
  });
});

// Review round 5 #30 (authelia V0007.ConsistencyFixes.up.sql:56): the index of a constraint the same transaction
// dropped by name a statement earlier is on that table, which the ALTER TABLE already holds ACCESS EXCLUSIVE.
describe(`${RULE}: an index named like a constraint dropped earlier in the transaction`, () => {
  const cleanup = (between: string) =>
    `BEGIN;\nALTER TABLE totp_configurations DROP CONSTRAINT IF EXISTS totp_configurations_username_key1;\n${between}DROP INDEX IF EXISTS totp_configurations_username_key1;\nCOMMIT;\n`;

  it('stays quiet: the table is already locked ACCESS EXCLUSIVE by the ALTER TABLE', () => {
    expect(findingsOf(RULE, cleanup(''))).toEqual([]);
  });

  it('still flags it when the constraint was dropped in another transaction or from another name', () => {
    expect(findingsOf(RULE, cleanup('COMMIT;\nBEGIN;\n'))).toHaveLength(1);
    expect(findingsOf(RULE, cleanup('').replace('DROP INDEX IF EXISTS totp_configurations_username_key1', 'DROP INDEX IF EXISTS totp_configurations_username_key'))).toHaveLength(1);
  });
});

// Review round 5 #29 (drizzle-sim 0064): Drizzle's migrator runs every file in its transaction, with no per-file
// way out, so "a migration that runs outside a transaction" does not exist there.
describe(`${RULE}: under Drizzle's migrator`, () => {
  const drizzle = {
    filePath: 'packages/db/migrations/0064_elite_hedge_knight.sql',
    priorSchema: schemaOf('CREATE TABLE logs (cost int, level int);\nCREATE INDEX logs_cost_idx ON logs (cost);\nCREATE INDEX logs_level_idx ON logs (level);'),
  };
  const drops = 'DROP INDEX "logs_cost_idx";--> statement-breakpoint\nDROP INDEX "logs_level_idx";--> statement-breakpoint\n';

  it("ends its advice with the migrator's own way out, in the message and in the reason for no fix", () => {
    const [finding] = findingsOf(RULE, drops, drizzle);
    expect(finding!.message).toMatch(/Use DROP INDEX CONCURRENTLY\. Drizzle's migrator always uses a transaction: run this statement outside it/);
    expect(finding!.noFixReason).toContain("out of Drizzle's transaction. Drizzle's migrator always uses a transaction");
    expect(finding!.noFixReason).not.toContain('to a migration that runs outside a transaction');
  });
});

// Review round 6 #30 (harbor 0015_1.10.0_schema.up.sql): DROP TABLE later in the same transaction takes the same
// lock and the index with it.
describe(`${RULE}: the table is dropped later in the same transaction`, () => {
  const priorSchema = schemaOf('CREATE TABLE old_jobs (id int, status text);\nCREATE INDEX old_jobs_status_idx ON old_jobs (status);');
  const drops = 'DROP INDEX IF EXISTS old_jobs_status_idx;\nDROP TABLE IF EXISTS old_jobs;\n';

  it('stays quiet in one transaction (golang-migrate sends the file as one query)', () => {
    expect(findingsOf(RULE, drops, { filePath: 'migrations/0002_drop_old.up.sql', priorSchema })).toEqual([]);
    expect(findingsOf(RULE, `BEGIN;\n${drops}COMMIT;\n`, { priorSchema })).toEqual([]);
  });

  it('still flags it statement by statement, or when the table is dropped in a later transaction', () => {
    expect(findingsOf(RULE, drops, { priorSchema })).toHaveLength(1);
    expect(findingsOf(RULE, `BEGIN;\nDROP INDEX IF EXISTS old_jobs_status_idx;\nCOMMIT;\nDROP TABLE old_jobs;\n`, { priorSchema })).toHaveLength(1);
  });
});

// Review round 9 #30 (golang-migrate-pkgsite 000104): the drop comes right before an ALTER … TYPE of the same table in the
// same transaction, which locks it ACCESS EXCLUSIVE anyway (and would rebuild the index): CONCURRENTLY would gain nothing.
describe('drop-index-without-concurrently: an ACCESS EXCLUSIVE lock the transaction takes next', () => {
  const priorSchema = schemaAfter(
    buildStatements('CREATE TABLE package_symbols (id bigserial PRIMARY KEY, module_path_id integer NOT NULL);\nCREATE INDEX idx_ps ON package_symbols (module_path_id);', parser, defaultOptions()),
  );
  const alter = 'ALTER TABLE package_symbols ALTER COLUMN module_path_id TYPE BIGINT;';

  it('is quiet when the next statement takes it', () => {
    const sql = `BEGIN;\nDROP INDEX idx_ps;\n${alter}\nCREATE INDEX idx_ps ON package_symbols (module_path_id);\nEND;\n`;
    expect(findingsOf('drop-index-without-concurrently', sql, { priorSchema })).toEqual([]);
  });

  it('still reports when slow work runs between them, or the lock is in another transaction', () => {
    const slow = `BEGIN;\nDROP INDEX idx_ps;\nUPDATE package_symbols SET module_path_id = module_path_id + 1;\n${alter}\nEND;\n`;
    expect(findingsOf('drop-index-without-concurrently', slow, { priorSchema })).toHaveLength(1);
    const separate = `BEGIN;\nDROP INDEX idx_ps;\nEND;\nBEGIN;\n${alter}\nEND;\n`;
    expect(findingsOf('drop-index-without-concurrently', separate, { priorSchema })).toHaveLength(1);
  });
});
