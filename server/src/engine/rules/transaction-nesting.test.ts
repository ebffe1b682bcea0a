import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'transaction-nesting';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is a warning on a BEGIN inside an open block, pointing at the outer BEGIN', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nBEGIN;\nALTER TABLE invoices ADD COLUMN note text;\nCOMMIT;\nCOMMIT;';
    const reported = findings(sql);
    expect(reported.map((finding) => textOf(sql, finding))).toEqual(['BEGIN', 'COMMIT']);
    const [nested, extraCommit] = reported;
    expect(nested!.severity).toBe('warning');
    expect(nested!.message).toContain('BEGIN inside the transaction opened on line 1');
    expect(nested!.related?.[0]?.range.start).toBe(0);
    expect(extraCommit!.message).toContain('COMMIT with no transaction open');
  });

  it('stays quiet for consecutive blocks, savepoints and COMMIT AND CHAIN', () => {
    expect(findings('BEGIN;\nSELECT 1;\nCOMMIT;\nSTART TRANSACTION;\nSAVEPOINT a;\nSELECT 2;\nRELEASE a;\nEND;')).toEqual([]);
    expect(findings('BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;')).toEqual([]);
    expect(findings('SELECT 1;')).toEqual([]);
  });

  it('reports ROLLBACK with no transaction open, unless a syntax error before it may have cut the file wrongly', () => {
    expect(findings('SELECT 1;\nROLLBACK;')[0]!.message).toContain('ROLLBACK with no transaction open');
    expect(findings('CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIK SELECT 1;\nEND;')).toEqual([]);
  });

  it('reports BEGIN and COMMIT in a file the migration tool wraps in a transaction', () => {
    const sql = '-- migrate:up\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n';
    const [begin, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(textOf(sql, begin!)).toBe('BEGIN');
    expect(begin!.message).toContain("dbmate already runs this file in a transaction");
    const commitOnly = '-- migrate:up\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nALTER TABLE orders ADD COLUMN other text;\n';
    expect(findings(commitOnly)[0]!.message).toContain('COMMIT ends the transaction dbmate runs this file in, early');
  });

  it('stays quiet for the file\'s own block when the tool sends the file as one query, or with transaction:false', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN other text;\nCOMMIT;\n';
    expect(findings(sql, 'db/migrations/000012_note.up.sql')).toEqual([]);
    expect(findings(sql, 'prisma/migrations/20240101000000_note/migration.sql')).toEqual([]);
    expect(findings(`-- migrate:up transaction:false\n${sql}`)).toEqual([]);
  });

  it('takes only Flyway event names for Flyway callbacks: graphile-migrate\'s afterReset.sql runs its own block', () => {
    const sql = 'BEGIN;\nCREATE EXTENSION IF NOT EXISTS pgcrypto;\nCOMMIT;\n';
    expect(findings(sql, 'migrations/afterReset.sql')).toEqual([]);
    const [begin, ...rest] = findings(sql, 'db/migration/afterMigrate__grants.sql');
    expect(rest).toEqual([]);
    expect(begin!.message).toContain('Flyway already runs this file in a transaction');
  });

  // drizzle-sim 0264_fat_ikaris.sql: Drizzle has no per-file opt-out, so the COMMIT is how the concurrent build runs.
  it('says what a COMMIT that lets CREATE INDEX CONCURRENTLY out of the tool\'s transaction costs, without telling to remove it', () => {
    const sql =
      'ALTER TABLE "chats" ADD COLUMN IF NOT EXISTS "deleted_at" timestamp;--> statement-breakpoint\nCOMMIT;--> statement-breakpoint\n' +
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "chats_deleted_idx" ON "chats" ("deleted_at");';
    const [commit, ...rest] = findings(sql, 'packages/db/migrations/0264_fat_ikaris.sql');
    expect(rest).toEqual([]);
    expect(textOf(sql, commit!)).toBe('COMMIT');
    expect(commit!.severity).toBe('warning');
    // Review round 5 #73/#74: Drizzle runs every pending migration in this transaction, and has no migration of its own to offer.
    expect(commit!.message).toMatch(/^COMMIT ends the transaction Drizzle runs every pending migration in, early, so that the CREATE INDEX CONCURRENTLY on line 3 can run outside it/);
    expect(commit!.message).toContain('later pending migrations of the same run included, runs without a transaction');
    // Review round 6 #73: Drizzle records the file as applied only at its end, so a re-run replays it from the top.
    expect(commit!.message).toContain('the re-run replays this file from its first statement, those the COMMIT already committed included');
    expect(commit!.message).toContain('Keep every statement of the file safe to repeat (IF NOT EXISTS, IF EXISTS; a failed CREATE INDEX CONCURRENTLY leaves an INVALID index');
    expect(commit!.message).toMatch(/or run the CREATE INDEX CONCURRENTLY outside the migrator \(a separate script or psql step\)\.$/);
    expect(commit!.message).not.toContain('a migration of its own');
    expect(commit!.message).not.toContain('Remove it');
  });

  // Review round 7 #74 (drizzle-sim 0294_workable_jigsaw.sql): the COMMIT lets a DROP and a CREATE INDEX CONCURRENTLY out; naming only the first
  // left out the build, and with it the INVALID-index advice.
  it('names every statement after the COMMIT that cannot run in a transaction', () => {
    const sql =
      'COMMIT;--> statement-breakpoint\nDROP INDEX CONCURRENTLY IF EXISTS "usage_idx";--> statement-breakpoint\n' +
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "usage_cost_idx" ON "usage_log" ("cost");';
    const [commit] = findings(sql, 'packages/db/migrations/0294_workable_jigsaw.sql');
    expect(commit!.message).toMatch(/so that the DROP INDEX CONCURRENTLY and CREATE INDEX CONCURRENTLY on lines 2 and 3 can run outside it/);
    expect(commit!.message).toContain('a failed CREATE INDEX CONCURRENTLY leaves an INVALID index');
    expect(commit!.message).toMatch(/or run them outside the migrator \(a separate script or psql step\)\.$/);
  });

  it('is not reported together with uncommitted-transaction', () => {
    const ids = lint('BEGIN;\nBEGIN;\nSELECT 1;').map((finding) => finding.ruleId);
    expect(ids.filter((id) => id === RULE)).toHaveLength(1);
    expect(ids.filter((id) => id === 'uncommitted-transaction')).toHaveLength(1);
  });
});
