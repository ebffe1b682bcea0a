import { describe, expect, it } from 'vitest';
import { Linter } from '../../lint';
import type { LintOptions } from '../../options';

const linter = await Linter.create();

/** Each statement's section and transaction, as `<section> <kind>[@start..end] <first words>`. */
function runs(source: string, options: Partial<LintOptions>): string[] {
  const { statements } = linter.lint(source, options);
  return statements.map((statement) => {
    const t = statement.transaction;
    const where = t.kind === 'autocommit' ? 'autocommit' : t.kind === 'explicit' ? `explicit@${t.begin}..${t.end ?? 'open'}` : `implicit@${t.start}..${t.end ?? 'open'}`;
    return `${statement.section} ${where} ${statement.text.split(/\s+/).slice(0, 2).join(' ')}`;
  });
}

const rulesOf = (source: string, options: Partial<LintOptions>) => linter.lint(source, options).findings.map((finding) => `${finding.ruleId}@${source.slice(0, finding.range.start).split('\n').length}`);

describe('goose', () => {
  const path = 'db/migrations/20240101000000_orders.sql';

  it('runs the Up section in one transaction and never runs the Down section on apply', () => {
    const source = '-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\n-- +goose Down\nDROP INDEX orders_note_idx;\n';
    expect(runs(source, { filePath: path })).toEqual(['up implicit@0..open ALTER TABLE', 'up implicit@0..open ALTER TABLE', 'down implicit@2..open DROP INDEX']);
    const found = rulesOf(source, { filePath: path });
    expect(found).toContain('lock-held-across-slow-statement@3');
    // Nothing on the Down section's DROP INDEX: it does not run when the migration is applied.
    expect(found.filter((rule) => rule.endsWith('@5'))).toEqual([]);
  });

  it('-- +goose NO TRANSACTION runs statement by statement, so CONCURRENTLY is right', () => {
    const source = '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n-- +goose Down\nDROP INDEX CONCURRENTLY IF EXISTS orders_note_idx;\n';
    expect(runs(source, { filePath: path })).toEqual(['up autocommit CREATE INDEX', 'down autocommit DROP INDEX']);
    expect(rulesOf(source, { filePath: path }).filter((rule) => rule.startsWith('concurrently-in-transaction'))).toEqual([]);
  });

  it('a StatementBegin … StatementEnd block is one statement unit: a function body with semicolons parses', () => {
    const source =
      '-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at = now();\n  RETURN NEW;\nEND;\n$$;\n-- +goose StatementEnd\n';
    expect(rulesOf(source, { filePath: path }).filter((rule) => rule.startsWith('syntax-error'))).toEqual([]);
  });

  it('under NO TRANSACTION, a StatementBegin block of several statements is one query: one implicit transaction', () => {
    const source =
      '-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);\n-- +goose StatementEnd\n';
    expect(runs(source, { filePath: path })).toEqual(['up implicit@0..open ALTER TABLE', 'up implicit@0..open CREATE INDEX']);
    expect(rulesOf(source, { filePath: path })).toContain('concurrently-in-transaction@5');
  });

  it('annotations are case-insensitive', () => {
    expect(runs('-- +GOOSE UP\nSELECT 1;\n-- +goose down\nSELECT 2;\n', { filePath: path })).toEqual(['up implicit@0..open SELECT 1', 'down implicit@1..open SELECT 2']);
  });
});

describe('a COMMIT in the file ends the transaction the runner opened', () => {
  it('goose (statement by statement): what follows runs in autocommit, so CONCURRENTLY after it works', () => {
    const source = '-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n';
    expect(runs(source, { filePath: 'm/20240101000000_x.sql' })).toEqual(['up implicit@0..1 ALTER TABLE', 'up autocommit COMMIT', 'up autocommit CREATE INDEX']);
    expect(rulesOf(source, { filePath: 'm/20240101000000_x.sql' }).filter((rule) => rule.startsWith('concurrently-in-transaction'))).toEqual([]);
  });

  it('Flyway (JDBC opens a new transaction): what follows runs in a new transaction', () => {
    const source = 'ALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nALTER TABLE orders ADD COLUMN memo text;\n';
    expect(runs(source, { filePath: 'db/migration/V3__notes.sql' })).toEqual(['up implicit@0..1 ALTER TABLE', 'up autocommit COMMIT', 'up implicit@2..open ALTER TABLE']);
  });

  it('an enum value added and committed before use is no finding', () => {
    const source = "-- +goose Up\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;\nUPDATE people SET mood = 'happy' WHERE id = 1;\n";
    expect(rulesOf(source, { filePath: 'm/20240101000000_x.sql' }).filter((rule) => rule.startsWith('enum-value-used-in-same-transaction'))).toEqual([]);
  });

  it('transaction mode "always": an explicit COMMIT ends the wrapping transaction, so CONCURRENTLY after it is not flagged', () => {
    const source = 'ALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n';
    expect(runs(source, { transactionMode: 'always' })).toEqual(['up implicit@0..1 ALTER TABLE', 'up autocommit COMMIT', 'up autocommit CREATE INDEX']);
    expect(rulesOf(source, { transactionMode: 'always' }).filter((rule) => rule.startsWith('concurrently-in-transaction'))).toEqual([]);
  });

  it('one multi-statement query (golang-migrate): PostgreSQL opens an implicit transaction again after COMMIT', () => {
    const source = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);\nSELECT 1;\n';
    expect(runs(source, { filePath: 'migrations/000002_x.up.sql' })).toEqual([
      'up autocommit BEGIN',
      'up explicit@0..2 ALTER TABLE',
      'up autocommit COMMIT',
      'up implicit@3..open CREATE INDEX',
      'up implicit@3..open SELECT 1',
    ]);
  });
});

describe('sections and transactions of every framework', () => {
  it.each([
    ['sql-migrate', '-- +migrate Up\nSELECT 1;\n-- +migrate Down notransaction\nSELECT 2;\n', 'migrations/1_x.sql', ['up implicit@0..open SELECT 1', 'down autocommit SELECT 2']],
    ['sql-migrate notransaction', '-- +migrate Up notransaction\nSELECT 1;\nSELECT 2;\n', 'migrations/1_x.sql', ['up autocommit SELECT 1', 'up autocommit SELECT 2']],
    ['dbmate', '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n', 'db/migrations/20240101_x.sql', ['up implicit@0..open SELECT 1', 'down implicit@1..open SELECT 2']],
    ['dbmate transaction:false, one query', '-- migrate:up transaction:false\nSELECT 1;\nSELECT 2;\n', 'db/migrations/20240101_x.sql', ['up implicit@0..open SELECT 1', 'up implicit@0..open SELECT 2']],
    ['dbmate transaction:false, one statement', '-- migrate:up transaction:false\nSELECT 1;\n', 'db/migrations/20240101_x.sql', ['up autocommit SELECT 1']],
    ['golang-migrate down file', 'SELECT 1;\n', 'migrations/000002_x.down.sql', ['down autocommit SELECT 1']],
    ['Flyway undo script', 'SELECT 1;\nSELECT 2;\n', 'db/migration/U3__x.sql', ['down implicit@0..open SELECT 1', 'down implicit@0..open SELECT 2']],
    ['Flyway repeatable', 'SELECT 1;\n', 'db/migration/R__views.sql', ['up implicit@0..open SELECT 1']],
    ['Liquibase changesets', '--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--changeset a:2 runInTransaction:false\nSELECT 2;\nSELECT 3;\n', 'changesets/x.sql', ['up implicit@0..open SELECT 1', 'up autocommit SELECT 2', 'up autocommit SELECT 3']],
    ['Liquibase splitStatements:false outside a transaction', '--liquibase formatted sql\n--changeset a:1 runInTransaction:false splitStatements:false\nSELECT 1;\nSELECT 2;\n', 'changesets/x.sql', ['up implicit@0..open SELECT 1', 'up implicit@0..open SELECT 2']],
    ['Prisma', 'SELECT 1;\nSELECT 2;\n', 'prisma/migrations/20240101000000_x/migration.sql', ['up implicit@0..open SELECT 1', 'up implicit@0..open SELECT 2']],
    ['Drizzle', 'SELECT 1;--> statement-breakpoint\nSELECT 2;\n', 'drizzle/0001_x.sql', ['up implicit@0..open SELECT 1', 'up implicit@0..open SELECT 2']],
    ['Supabase CLI', 'SELECT 1;\n', 'supabase/migrations/20240101000000_x.sql', ['up implicit@0..open SELECT 1']],
    ['graphile-migrate', '--! Previous: -\n--! Hash: sha1:abc\n\nSELECT 1;\n', 'migrations/committed/000001.sql', ['up implicit@0..open SELECT 1']],
    ['graphile-migrate no-transaction', '--! no-transaction\nSELECT 1;\n', 'migrations/current.sql', ['up autocommit SELECT 1']],
    ['diesel down.sql', 'SELECT 1;\n', 'migrations/2024-01-01-000000_x/down.sql', ['down implicit@0..open SELECT 1']],
    ['Authelia: every pending file in one transaction', 'SELECT 1;\nSELECT 2;\n', 'internal/storage/migrations/postgres/V0007.ConsistencyFixes.up.sql', ['up implicit@0..open SELECT 1', 'up implicit@0..open SELECT 2']],
    ['Authelia, older names', 'SELECT 1;\n', 'internal/storage/migrations/V0001.Initial_Schema.postgres.down.sql', ['down implicit@0..open SELECT 1']],
    ['Authelia names for another database are not Authelia', 'SELECT 1;\n', 'internal/storage/migrations/mysql/V0001.Initial_Schema.up.sql', ['up autocommit SELECT 1']],
    ['pop autocommit', 'SELECT 1;\n', 'migrations/20240101000000000000_x.autocommit.up.sql', ['up autocommit SELECT 1']],
    ['pop', 'SELECT 1;\n', 'migrations/20240101000000000000_x.postgres.down.sql', ['down implicit@0..open SELECT 1']],
    ['node-pg-migrate', '-- Up Migration\nSELECT 1;\n-- Down Migration\nSELECT 2;\n', 'migrations/1700000000000_x.sql', ['up implicit@0..open SELECT 1', 'down implicit@1..open SELECT 2']],
    ['postgres-migrations disable-transaction', '-- postgres-migrations disable-transaction\nSELECT 1;\n', 'migrations/0001-x.sql', ['up autocommit SELECT 1']],
    ['no framework: psql, statement by statement', 'SELECT 1;\n', 'sql/x.sql', ['up autocommit SELECT 1']],
    ['no framework, a rollback file by its name', 'SELECT 1;\n', 'sql/0002_x.down.sql', ['down autocommit SELECT 1']],
  ])('%s', (_name, source, filePath, expected) => {
    expect(runs(source, { filePath })).toEqual(expected);
  });

  it('sqitch: deploy, revert and verify scripts beside sqitch.plan run as written', () => {
    const readSibling = (name: string) => (name === '../sqitch.plan' ? '%project=x\n' : undefined);
    expect(runs('BEGIN;\nSELECT 1;\nCOMMIT;\n', { filePath: 'deploy/x.sql', readSibling })).toEqual(['up autocommit BEGIN', 'up explicit@0..2 SELECT 1', 'up autocommit COMMIT']);
    expect(runs('SELECT 1;\n', { filePath: 'revert/x.sql', readSibling })).toEqual(['down autocommit SELECT 1']);
    expect(runs('SELECT 1;\n', { filePath: 'verify/x.sql', readSibling })).toEqual(['verify autocommit SELECT 1']);
  });

  it('Atlas: atlas.sum beside the file; `-- atlas:txmode none` opts out', () => {
    const readSibling = (name: string) => (name === 'atlas.sum' ? 'h1:abc\n' : undefined);
    expect(runs('SELECT 1;\n', { filePath: 'migrations/20240101_x.sql', readSibling })).toEqual(['up implicit@0..open SELECT 1']);
    expect(runs('-- atlas:txmode none\nSELECT 1;\n', { filePath: 'migrations/20240101_x.sql', readSibling })).toEqual(['up autocommit SELECT 1']);
  });

  it('Flyway: executeInTransaction=false in the script\'s .conf', () => {
    const readSibling = (name: string) => (name === 'V3__x.sql.conf' ? 'executeInTransaction=false\n' : undefined);
    expect(runs('SELECT 1;\nSELECT 2;\n', { filePath: 'db/migration/V3__x.sql', readSibling })).toEqual(['up autocommit SELECT 1', 'up autocommit SELECT 2']);
  });

  describe('postgres-migrations: the whole file is one query', () => {
    const set = (files: Record<string, string>) => ({ listSiblings: () => Object.keys(files), readSibling: (name: string) => files[name] });
    const marked = '-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY a_idx ON a (id);\n';

    it('with the disable-transaction marker, several statements still make one implicit transaction', () => {
      expect(runs(`${marked}SELECT 1;\n`, { filePath: 'migrations/0002-x.sql' })).toEqual(['up implicit@0..open CREATE INDEX', 'up implicit@0..open SELECT 1']);
    });

    it('an unmarked file of a numbered set (1, 2, 3, …) in which a file carries the marker runs in a transaction of its own', () => {
      const files = { '0001-init.sql': 'CREATE TABLE a (id int);\n', '0002-index.sql': marked, '0003-more.sql': '' };
      expect(runs('ALTER TABLE a ADD COLUMN b int;\nCREATE INDEX a_b_idx ON a (b);\n', { filePath: 'migrations/0003-more.sql', ...set(files) })).toEqual([
        'up implicit@0..open ALTER TABLE',
        'up implicit@0..open CREATE INDEX',
      ]);
      expect(linter.lint('SELECT 1;\n', { filePath: 'migrations/0003-more.sql', ...set(files) }).migration?.assumption).toContain('0002-index.sql, which carries');
    });

    it('no marker in the folder, or ids the library refuses (a gap, a repeat, not from 1): not recognised', () => {
      const unrecognised = ['up autocommit SELECT 1'];
      expect(runs('SELECT 1;\n', { filePath: 'm/0002-x.sql', ...set({ '0001-a.sql': '', '0002-x.sql': '' }) })).toEqual(unrecognised);
      expect(runs('SELECT 1;\n', { filePath: 'm/0003-x.sql', ...set({ '0001-a.sql': marked, '0003-x.sql': '' }) })).toEqual(unrecognised);
      expect(runs('SELECT 1;\n', { filePath: 'm/0002-x.sql', ...set({ '0001-a.sql': marked, '0001-b.sql': '', '0002-x.sql': '' }) })).toEqual(unrecognised);
      expect(runs('SELECT 1;\n', { filePath: 'm/0001_x.sql', ...set({ '0000_a.sql': marked, '0001_x.sql': '' }) })).toEqual(unrecognised);
    });
  });

  describe('pop / popx: a project that migrates several databases', () => {
    const folder = (...names: string[]) => ({ listSiblings: () => names });
    const version = '20241609000001000000';
    // MySQL's inline INDEX: a syntax error on PostgreSQL, in a file PostgreSQL never runs.
    const mysqlTable = 'CREATE TABLE t (id int, UNIQUE INDEX t_id (id));\n';

    it('a file for another database never runs on PostgreSQL: no finding, the syntax check included', () => {
      for (const dialect of ['mysql', 'sqlite3', 'cockroach']) {
        expect(rulesOf(mysqlTable, { filePath: `migrations/${version}_t.${dialect}.up.sql` }), dialect).toEqual([]);
      }
      expect(runs('SELECT 1;\n', { filePath: `migrations/${version}_t.mysql.up.sql` })).toEqual(['other-database autocommit SELECT 1']);
    });

    it('a dialect-neutral file replaced on PostgreSQL by its version\'s .postgres. file is not checked; without one it is', () => {
      const neutral = `${version}_device_flow.autocommit.up.sql`;
      expect(rulesOf(mysqlTable, { filePath: `migrations/${neutral}`, ...folder(neutral, `${version}_device_flow.postgres.up.sql`) })).toEqual([]);
      expect(linter.lint('SELECT 1;\n', { filePath: `migrations/${neutral}`, ...folder(neutral, `${version}_device_flow.postgres.up.sql`) }).migration?.assumption).toMatch(
        /on PostgreSQL it runs 20241609000001000000_device_flow\.postgres\.up\.sql instead/,
      );
      expect(rulesOf(mysqlTable, { filePath: `migrations/${neutral}`, ...folder(neutral, `${version}_device_flow.mysql.up.sql`) })).toEqual(['syntax-error@1']);
    });

    it('a neutral file without .autocommit. is pop\'s when its folder names databases: one transaction, as popx runs it', () => {
      const options = { filePath: `migrations/${version}_x.up.sql`, ...folder(`${version}_x.up.sql`, `${version}_x.mysql.up.sql`) };
      expect(runs('SELECT 1;\n', options)).toEqual(['up implicit@0..open SELECT 1']);
      expect(linter.lint('SELECT 1;\n', options).migration?.framework?.id).toBe('pop');
      expect(linter.lint('SELECT 1;\n', { filePath: `migrations/${version}_x.up.sql` }).migration?.framework?.id).toBe('golang-migrate');
    });

    it('a neutral file also runs on the other databases: no CONCURRENTLY rewrite, and the reason names the PostgreSQL copy', () => {
      const neutral = `${version}_idx.autocommit.up.sql`;
      const [finding] = linter.lint('CREATE INDEX t_id ON t (id);\n', { filePath: `migrations/${neutral}`, ...folder(neutral, `${version}_idx.mysql.autocommit.up.sql`) }).findings.filter(
        (found) => found.ruleId === 'create-index-without-concurrently',
      );
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(/SQLite rejects it.*20241609000001000000_idx\.postgres\.autocommit\.up\.sql/);
    });
  });

  it('the analysis says which framework and mode were assumed', () => {
    expect(linter.lint('-- +goose Up\nSELECT 1;\n', { filePath: 'm/1_x.sql' }).migration?.assumption).toMatch(/^goose, recognised from the `-- \+goose Up` annotation/);
    expect(linter.lint('SELECT 1;\n', { filePath: 'x.sql' }).migration?.assumption).toMatch(/no migration framework recognised.*transactionMode/);
    expect(linter.lint('SELECT 1;\n', { filePath: 'x.sql', transactionMode: 'always' }).migration?.assumption).toMatch(/transaction mode "always"/);
  });
});
