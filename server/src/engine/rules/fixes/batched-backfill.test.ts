import { describe, expect, it } from 'vitest';
import type { Finding } from '../../findings';
import { applyFix } from '../../fixes/apply';
import { FixVerifier } from '../../fixes/verify';
import { Linter } from '../../lint';
import { buildStatements } from '../../model/build';
import { schemaAfter } from '../../model/schema/replay';
import { defaultOptions, type LintOptions } from '../../options';
import { PostgresParser } from '../../parse/parser';

const parser = await PostgresParser.load();
const linter = await Linter.create();
const priorSchema = schemaAfter(buildStatements('CREATE TABLE orders (id bigserial PRIMARY KEY, status text);', parser, defaultOptions()));

/** The backfill finding of the file, its fixes verified as the CLI and the editor verify them. */
function backfill(sql: string, options: Partial<LintOptions>): Finding {
  const lintOptions = { priorSchema, ...options };
  const analysis = linter.lint(sql, lintOptions);
  const findings = new FixVerifier(linter, sql, lintOptions, analysis).findings().filter((finding) => finding.ruleId === 'backfill-in-migration');
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

/** The loop of the batched form, for `UPDATE orders SET status = 'new'` (a WHERE condition, if any, is AND-ed to the batch). */
const loop = (condition = '') =>
  [
    'DO $$',
    'DECLARE',
    '  batch_start bigint;',
    '  batch_end bigint;',
    'BEGIN',
    '  SELECT min(id) INTO batch_start FROM orders;',
    '  WHILE batch_start IS NOT NULL LOOP',
    '    SELECT max(id) INTO batch_end FROM (SELECT id FROM orders WHERE id >= batch_start ORDER BY id LIMIT 5000) AS batch;',
    `    UPDATE orders SET status = 'new' WHERE id >= batch_start AND id <= batch_end${condition};`,
    '    COMMIT;',
    '    SELECT min(id) INTO batch_start FROM orders WHERE id > batch_end;',
    '  END LOOP;',
    'END',
    '$$;',
  ].join('\n');

const UPDATE = "UPDATE orders SET status = 'new';";

describe('the batched backfill fix, in each framework', () => {
  it('in place, between StatementBegin/End, in a goose file without a transaction (goose splits on semicolons)', () => {
    const sql = `-- +goose NO TRANSACTION\n-- +goose Up\n${UPDATE}\n-- +goose Down\nSELECT 1;\n`;
    const [fix] = backfill(sql, { filePath: 'db/migrations/00005_backfill.sql' }).fixes;
    expect(fix!.createFiles).toBeUndefined();
    expect(applyFix(sql, fix!)).toBe(`-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\n${loop()}\n-- +goose StatementEnd\n-- +goose Down\nSELECT 1;\n`);
  });

  it('in place in a Prisma migration of one statement (sent alone, without an implicit transaction)', () => {
    const sql = `${UPDATE}\n`;
    const [fix] = backfill(sql, { filePath: 'prisma/migrations/20240101000000_backfill/migration.sql' }).fixes;
    expect(applyFix(sql, fix!)).toBe(`${loop()}\n`);
  });

  it('after the COMMIT of a file that opens its own transaction (psql)', () => {
    const sql = `BEGIN;\n${UPDATE}\nALTER TABLE customers ADD COLUMN note text;\nCOMMIT;\n`;
    const [fix] = backfill(sql, {}).fixes;
    expect(fix!.title).toBe('Run it in batches of 5000 rows that each commit (a DO block walking orders by id), after COMMIT');
    expect(applyFix(sql, fix!)).toBe(`BEGIN;\nALTER TABLE customers ADD COLUMN note text;\nCOMMIT;\n\n${loop()}\n`);
  });

  it.each([
    ['sql-migrate', 'migrations/3_backfill.sql', `-- +migrate Up\n${UPDATE}\nSELECT 1;\n-- +migrate Down\n`, '4_batched_update_orders.sql', `-- +migrate Up notransaction\n-- +migrate StatementBegin\n${loop()}\n-- +migrate StatementEnd\n`],
    ['dbmate', 'db/migrations/20240101000000_backfill.sql', `-- migrate:up\n${UPDATE}\nSELECT 1;\n-- migrate:down\n`, '20240101000001_batched_update_orders.sql', `-- migrate:up transaction:false\n${loop()}\n`],
    ['Flyway', 'db/migration/V3__backfill.sql', `${UPDATE}\nALTER TABLE customers ADD COLUMN note text;\n`, 'V4__batched_update_orders.sql', `${loop()}\n`],
    ['diesel', 'migrations/2024-01-01-000000_backfill/up.sql', `${UPDATE}\nSELECT 1;\n`, '../2024-01-01-000001_batched_update_orders/up.sql', `${loop()}\n`],
  ])('in a new %s migration that runs outside a transaction', (_framework, filePath, sql, path, text) => {
    const [fix] = backfill(sql, { filePath }).fixes;
    expect(fix!.title).toContain('in a new migration');
    expect(fix!.createFiles!.find((file) => file.path === path)!.text).toContain(text);
    expect(applyFix(sql, fix!)).not.toContain('UPDATE orders');
  });

  it('marks the new Flyway and diesel migrations non-transactional beside them', () => {
    const flyway = backfill(`${UPDATE}\nSELECT 1;\n`, { filePath: 'db/migration/V3__backfill.sql' }).fixes[0]!;
    expect(flyway.createFiles).toContainEqual({ path: 'V4__batched_update_orders.sql.conf', text: 'executeInTransaction=false\n' });
    const diesel = backfill(`${UPDATE}\nSELECT 1;\n`, { filePath: 'migrations/2024-01-01-000000_backfill/up.sql' }).fixes[0]!;
    expect(diesel.createFiles).toContainEqual({ path: '../2024-01-01-000001_batched_update_orders/metadata.toml', text: 'run_in_transaction = false\n' });
  });

  it('in a Liquibase changeset of its own, not split on semicolons and not in a transaction', () => {
    const sql = `--liquibase formatted sql\n--changeset me:1\n${UPDATE}\nSELECT 1;\n`;
    const [fix] = backfill(sql, { filePath: 'db/changelog.sql' }).fixes;
    expect(applyFix(sql, fix!)).toBe(`--liquibase formatted sql\n--changeset me:1\nSELECT 1;\n\n--changeset me:1-batched_update_orders runInTransaction:false splitStatements:false\n${loop()}\n`);
  });

  it('none where the framework runs every migration in a transaction, naming it', () => {
    const finding = backfill(`${UPDATE}\n`, { filePath: 'supabase/migrations/20240101000000_backfill.sql' });
    expect(finding.fixes).toEqual([]);
    expect(finding.noFixReason).toBe(
      'A DO block can COMMIT only outside a transaction block: the Supabase CLI runs this statement in a transaction. The Supabase CLI runs each migration in a transaction: run this statement separately (e.g. with psql) after the migration.',
    );
  });

  it('none when the project says every file runs in a transaction', () => {
    const finding = backfill(`${UPDATE}\n`, { transactionMode: 'always' });
    expect(finding.fixes).toEqual([]);
    expect(finding.noFixReason).toContain('transaction mode "always"');
  });

  it('keeps the WHERE condition, the alias and the quoting of the original', () => {
    const keyed = schemaAfter(buildStatements('CREATE TABLE "Codes" ("Code" varchar(20) PRIMARY KEY, "order" text, batch_start int);', parser, defaultOptions()));
    const sql = 'UPDATE "Codes" c SET "order" = \'x\' WHERE c."order" IS NULL OR c."order" = \'\';\n';
    const [fix] = backfill(sql, { priorSchema: keyed }).fixes;
    expect(applyFix(sql, fix!)).toBe(
      [
        'DO $$',
        'DECLARE',
        '  backfill_batch_start varchar(20);',
        '  backfill_batch_end varchar(20);',
        'BEGIN',
        '  SELECT min("Code") INTO backfill_batch_start FROM "Codes";',
        '  WHILE backfill_batch_start IS NOT NULL LOOP',
        '    SELECT max("Code") INTO backfill_batch_end FROM (SELECT "Code" FROM "Codes" WHERE "Code" >= backfill_batch_start ORDER BY "Code" LIMIT 5000) AS batch;',
        '    UPDATE "Codes" c SET "order" = \'x\' WHERE c."Code" >= backfill_batch_start AND c."Code" <= backfill_batch_end AND (c."order" IS NULL OR c."order" = \'\');',
        '    COMMIT;',
        '    SELECT min("Code") INTO backfill_batch_start FROM "Codes" WHERE "Code" > backfill_batch_end;',
        '  END LOOP;',
        'END',
        '$$;\n',
      ].join('\n'),
    );
  });

  it('walks a DELETE the same way, on a NOT NULL unique key', () => {
    const keyed = schemaAfter(buildStatements('CREATE TABLE sessions (token uuid NOT NULL UNIQUE, expires_at timestamptz);', parser, defaultOptions()));
    const sql = 'DELETE FROM sessions WHERE expires_at < now();\n';
    const [fix] = backfill(sql, { priorSchema: keyed }).fixes;
    const fixed = applyFix(sql, fix!);
    expect(fixed).toContain('  batch_start uuid;');
    expect(fixed).toContain('    DELETE FROM sessions WHERE token >= batch_start AND token <= batch_end AND (expires_at < now());');
  });
});
