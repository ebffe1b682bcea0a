import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));

const RULE = 'foreign-key-without-not-valid';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string, options = {}) => lintWithoutHygiene(sql, options).map((finding) => finding.ruleId);

describe(RULE, () => {
  it('flags ADD CONSTRAINT … FOREIGN KEY, names both tables, and splits it into NOT VALID + VALIDATE', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(
      /scans orders to check every row while holding a SHARE ROW EXCLUSIVE lock on it \(INSERT, UPDATE and DELETE wait\) and a SHARE ROW EXCLUSIVE lock on customers \(INSERT, UPDATE and DELETE wait\) until the scan ends/,
    );
    expect(finding!.lock).toEqual({
      mode: 'SHARE ROW EXCLUSIVE',
      relation: expect.objectContaining({ name: 'orders' }),
      blocks: expect.arrayContaining(['INSERT', 'UPDATE', 'DELETE']),
    });
    expect(finding!.lock!.blocks).not.toContain('SELECT');
    expect(textOf(sql, finding!)).toBe('ADD CONSTRAINT orders_customer_fk FOREIGN KEY');
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe(
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n' +
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n',
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('names an unnamed constraint as PostgreSQL would, so VALIDATE can find it, and keeps ON DELETE', () => {
    const sql = 'ALTER TABLE "Sales".orders ADD FOREIGN KEY (customer_id, region) REFERENCES customers ON DELETE CASCADE; -- link';
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe(
      'ALTER TABLE "Sales".orders ADD CONSTRAINT orders_customer_id_region_fkey FOREIGN KEY (customer_id, region) REFERENCES customers ON DELETE CASCADE NOT VALID; -- link\n' +
        'ALTER TABLE "Sales".orders VALIDATE CONSTRAINT orders_customer_id_region_fkey;',
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('flags an inline REFERENCES of an ADD COLUMN with a default, and moves it into an ADD CONSTRAINT … NOT VALID', () => {
    const sql =
      'ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 0 REFERENCES customers (id) ON DELETE SET NULL, ADD COLUMN note text;';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('REFERENCES');
    expect(finding!.message).toMatch(
      /holding an ACCESS EXCLUSIVE lock on it \(all reads and writes wait\) and a SHARE ROW EXCLUSIVE lock on customers/,
    );
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe(
      'ALTER TABLE orders ADD COLUMN customer_id bigint DEFAULT 0, ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE SET NULL NOT VALID, ADD COLUMN note text;\n' +
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
    );
    expect(ruleIds(fixed)).not.toContain(RULE);
    expect(ruleIds(fixed)).not.toContain('syntax-error');
  });

  it.each([
    ['DEFAULT NULL', 'ALTER TABLE orders ADD COLUMN c int DEFAULT NULL REFERENCES customers;'],
    ['serial', 'ALTER TABLE orders ADD COLUMN c serial REFERENCES customers;'],
    ['identity', 'ALTER TABLE orders ADD COLUMN c int GENERATED ALWAYS AS IDENTITY REFERENCES customers;'],
    ['generated', 'ALTER TABLE orders ADD COLUMN c int GENERATED ALWAYS AS (id) STORED REFERENCES customers;'],
  ])('flags an inline REFERENCES whose column gets values in existing rows: %s', (_name, sql) => {
    expect(findings(sql)).toHaveLength(1);
  });

  it('keeps other inline constraints of the column in place', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN customer_id bigint CONSTRAINT c_fk REFERENCES customers NOT NULL DEFAULT 0;';
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe(
      'ALTER TABLE orders ADD COLUMN customer_id bigint NOT NULL DEFAULT 0, ADD CONSTRAINT c_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c_fk;',
    );
  });

  it('inside BEGIN … COMMIT, puts VALIDATE after COMMIT (in the same transaction it would gain nothing)', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers;\nCOMMIT;\n';
    const fix = findings(sql)[0]!.fixes[0]!;
    expect(fix.title).toMatch(/after COMMIT/);
    const fixed = applyFix(sql, fix);
    expect(fixed).toBe(
      'BEGIN;\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\nCOMMIT;\n\nALTER TABLE orders VALIDATE CONSTRAINT fk;\n',
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('when the migration tool wraps the file, adds NOT VALID and leaves VALIDATE for the next migration', () => {
    const sql = '-- migrate:up\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers;\n';
    const fix = findings(sql)[0]!.fixes[0]!;
    expect(fix.title).toMatch(/next migration/);
    const fixed = applyFix(sql, fix);
    expect(fixed).toBe(
      '-- migrate:up\nALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\n-- lockguard: validate in the next migration, outside this transaction: ALTER TABLE orders VALIDATE CONSTRAINT fk;\n',
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  // Accuracy round 7 #43 (authelia V0007.ConsistencyFixes.up.sql): Authelia and Drizzle run every pending migration in one
  // transaction, so a next migration shipped with this one would hold the same locks.
  it.each([
    ['Authelia', 'internal/storage/migrations/postgres/V0007.ConsistencyFixes.up.sql', ''],
    ['Drizzle', 'drizzle/0007_consistency_fixes.sql', '--> statement-breakpoint\n'],
  ])(
    'under %s, which runs every pending migration in one transaction, leaves VALIDATE to be run by hand after the upgrade',
    (name, filePath, breakpoint) => {
      const sql = `ALTER TABLE orders DROP CONSTRAINT IF EXISTS fk;\n${breakpoint}ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers;\n`;
      const fix = findings(sql, { filePath })[0]!.fixes[0]!;
      expect(fix.title).toBe(
        `Add the constraint NOT VALID; VALIDATE CONSTRAINT by hand (e.g. with psql) after ${name} has run the migrations, outside its transaction`,
      );
      expect(fix.title).not.toMatch(/next migration/);
      const fixed = applyFix(sql, fix);
      expect(fixed).toBe(
        `ALTER TABLE orders DROP CONSTRAINT IF EXISTS fk;\n${breakpoint}ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\n` +
          `-- lockguard: validate by hand (e.g. with psql) after ${name} has run the migrations, outside its transaction: ALTER TABLE orders VALIDATE CONSTRAINT fk;\n`,
      );
      expect(ruleIds(fixed, { filePath })).toEqual([]);
    },
  );

  it.each([
    ['NOT VALID', 'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;'],
    [
      'table created earlier in the file',
      'CREATE TABLE orders (id int, customer_id int);\nALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers;',
    ],
    ['CREATE TABLE with REFERENCES', 'CREATE TABLE orders (id int, customer_id int REFERENCES customers);'],
    [
      'ADD COLUMN … REFERENCES without a default: every row is NULL, PostgreSQL skips the check',
      'ALTER TABLE orders ADD COLUMN customer_id int REFERENCES customers;',
    ],
    ['other constraints', 'ALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0) NOT VALID;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('is the only rule reporting the plain case', () => {
    expect(ruleIds('ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id);')).toEqual([RULE]);
  });
});

// Accuracy round 7 #15, for foreign keys: NOT VALID goes in place inside a DO block; only VALIDATE runs later.
describe(`${RULE}: a foreign key a DO block adds`, () => {
  it('says to add NOT VALID in the block and VALIDATE after the COMMIT of the block the file opens', () => {
    const sql =
      'BEGIN;\nDO $$ BEGIN\n  ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers;\nEND $$;\nCOMMIT;\n';
    const [finding] = findings(sql);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toBe(
      'This statement runs inside a DO block, which Lockguard does not rewrite: add NOT VALID to the constraint where it stands in the block, ' +
        "and run ALTER TABLE orders VALIDATE CONSTRAINT fk after the COMMIT that ends the block's transaction.",
    );
  });

  it('under Authelia, leaves VALIDATE to be run by hand after the upgrade', () => {
    const sql = 'DO $$ BEGIN\n  ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers;\nEND $$;\n';
    const [finding] = findings(sql, { filePath: 'internal/storage/migrations/postgres/V0007.ConsistencyFixes.up.sql' });
    expect(finding!.noFixReason).toMatch(
      /VALIDATE CONSTRAINT fk by hand \(e\.g\. with psql\) after Authelia has run the migrations, outside its transaction\.$/,
    );
  });
});

// Review round 7 #43 (authelia V0007): the file dropped the old foreign keys first, so both tables are already held
// ACCESS EXCLUSIVE while the new key's scan runs: reads wait too, not only writes.
describe('foreign-key-without-not-valid: tables already held ACCESS EXCLUSIVE', () => {
  it('says so for the table and the referenced table', () => {
    const priorSchema = priorSchemaOf(
      'CREATE TABLE users (id text PRIMARY KEY);\nCREATE TABLE sessions (id int PRIMARY KEY, subject text CONSTRAINT sessions_subject_fkey REFERENCES users);',
    );
    const sql =
      'BEGIN;\nALTER TABLE sessions DROP CONSTRAINT sessions_subject_fkey;\nALTER TABLE sessions ADD CONSTRAINT sessions_subject_fkey FOREIGN KEY (subject) REFERENCES users (id);\nCOMMIT;\n';
    const [finding] = findingsOf('foreign-key-without-not-valid', sql, { priorSchema });
    expect(finding!.message).toContain(
      'while holding a SHARE ROW EXCLUSIVE lock on it (line 2 of this transaction already holds it ACCESS EXCLUSIVE: all reads and writes wait) and a SHARE ROW EXCLUSIVE lock on users (line 2 of this transaction already holds it ACCESS EXCLUSIVE: all reads and writes wait)',
    );
    const [plain] = findingsOf(
      'foreign-key-without-not-valid',
      'ALTER TABLE sessions ADD CONSTRAINT s_fk FOREIGN KEY (subject) REFERENCES users (id);',
      { priorSchema },
    );
    expect(plain!.message).toContain(
      '(INSERT, UPDATE and DELETE wait) and a SHARE ROW EXCLUSIVE lock on users (INSERT, UPDATE and DELETE wait)',
    );
  });
});

// Review round 8 #43 (trigger.dev add_support_for_projects, Prisma): an earlier ADD COLUMN … NOT NULL without a DEFAULT
// of the same transaction only succeeds on an empty table, so the foreign key's scan reads no row.
describe('foreign-key-without-not-valid: a table the transaction can only hold empty', () => {
  const priorSchema = priorSchemaOf('CREATE TABLE "Endpoint" ("id" TEXT NOT NULL, CONSTRAINT "Endpoint_pkey" PRIMARY KEY ("id"));');
  const create = 'CREATE TABLE "Project" ("id" TEXT NOT NULL, CONSTRAINT "Project_pkey" PRIMARY KEY ("id"));';
  const addKey = 'ALTER TABLE "Endpoint" ADD CONSTRAINT "Endpoint_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id");';

  it('is quiet after ADD COLUMN … NOT NULL without a DEFAULT in the same transaction', () => {
    const sql = `BEGIN;\nALTER TABLE "Endpoint" ADD COLUMN "projectId" TEXT NOT NULL;\n${create}\n${addKey}\nCOMMIT;\n`;
    expect(findingsOf('foreign-key-without-not-valid', sql, { priorSchema })).toEqual([]);
    expect(findingsOf('add-column-not-null-without-default', sql, { priorSchema })).toHaveLength(1);
  });

  it('still reports when the column gets a DEFAULT, or the NOT NULL column is added in another transaction', () => {
    const withDefault = `BEGIN;\nALTER TABLE "Endpoint" ADD COLUMN "projectId" TEXT NOT NULL DEFAULT 'p';\n${create}\n${addKey}\nCOMMIT;\n`;
    expect(findingsOf('foreign-key-without-not-valid', withDefault, { priorSchema })).toHaveLength(1);
    const separate = `ALTER TABLE "Endpoint" ADD COLUMN "projectId" TEXT NOT NULL;\n${create}\nBEGIN;\n${addKey}\nCOMMIT;\n`;
    expect(findingsOf('foreign-key-without-not-valid', separate, { priorSchema })).toHaveLength(1);
  });
});
