import { describe, expect, it } from 'vitest';
import { findingsOf } from '../helpers/lint';
import type { LintOptions } from '../../server/src/engine/options';

const CIC = 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);';
const PLAIN = 'CREATE INDEX orders_status_idx ON orders (status);';
const OTHER = 'ALTER TABLE orders ADD COLUMN note text;';
/** Frameworks with no way to run one statement outside their transaction. */
const NO_WAY_OUT = new Set(['Drizzle', 'node-pg-migrate', 'the Supabase CLI']);
const inTransactionFindings = (source: string, options: Partial<LintOptions>) => findingsOf('concurrently-in-transaction', source, options);

describe('migration tools that wrap a file in a transaction (transaction mode "auto")', () => {
  it.each([
    ['dbmate', '-- migrate:up\n' + OTHER + '\n' + CIC + '\n-- migrate:down\nDROP INDEX orders_status_idx;', 'db/migrations/20240101_x.sql', /dbmate.*transaction:false/s],
    ['Drizzle', OTHER + '\n--> statement-breakpoint\n' + CIC, 'drizzle/0001_x.sql', /Drizzle/],
    ['node-pg-migrate', '-- Up Migration\n' + CIC, 'migrations/1700000000000_x.sql', /node-pg-migrate.*noTransaction/s],
    ['Flyway, mixed with a transactional statement', OTHER + '\n' + CIC, 'db/migration/V2__index.sql', /Flyway.*executeInTransaction=false/s],
    ['diesel', OTHER + '\n' + CIC, 'migrations/2024-01-01-000000_index/up.sql', /diesel.*run_in_transaction = false/s],
    ['the Supabase CLI', CIC, 'supabase/migrations/20240101000000_index.sql', /Supabase CLI/],
    ['Prisma, more than one statement', OTHER + '\n' + CIC, 'prisma/migrations/20240101000000_index/migration.sql', /Prisma.*migration of its own/s],
    ['golang-migrate, more than one statement', OTHER + '\n' + CIC, 'migrations/000002_index.up.sql', /golang-migrate.*file of its own/s],
  ])('%s: CONCURRENTLY fails, and the message says how to opt out', (tool, source, filePath, advice) => {
    const [finding] = inTransactionFindings(source, { filePath });
    expect(finding?.message).toContain(tool.split(',')[0]);
    expect(finding?.message).toMatch(advice);
    // Where the framework has a way out, the fix moves the statement into a new migration that takes it (the only
    // statement of its section stays, under the framework's switch: rules/fixes/in-place-opt-out.test.ts).
    const created = finding!.fixes.flatMap((fix) => fix.createFiles ?? []);
    if (NO_WAY_OUT.has(tool)) expect(finding!.fixes).toEqual([]);
    else expect(created.map((file) => file.text).join('\n')).toContain('CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status)');
  });

  it.each([
    ['dbmate with transaction:false', '-- migrate:up transaction:false\n' + CIC, 'db/migrations/20240101_x.sql'],
    ['Flyway with only non-transactional statements', CIC, 'db/migration/V2__index.sql'],
    ['Prisma, one statement', CIC, 'prisma/migrations/20240101000000_index/migration.sql'],
    ['golang-migrate, one statement', CIC, 'migrations/000002_index.up.sql'],
    ['an unknown layout', CIC, 'sql/changes/index.sql'],
  ])('%s: runs outside a transaction', (_name, source, filePath) => {
    expect(inTransactionFindings(source, { filePath })).toEqual([]);
  });

  it("diesel's metadata.toml can turn the transaction off", () => {
    const readSibling = (name: string) => (name === 'metadata.toml' ? 'run_in_transaction = false\n' : undefined);
    expect(inTransactionFindings(CIC, { filePath: 'migrations/2024-01-01-000000_index/up.sql', readSibling })).toEqual([]);
  });

  it("a COMMIT at the top of the file ends the runner's transaction, which it opened before the first statement", () => {
    // As in Sim's Drizzle migrations: COMMIT;--> statement-breakpoint, then the concurrent build in autocommit.
    const drizzle = 'COMMIT;--> statement-breakpoint\n' + CIC;
    expect(inTransactionFindings(drizzle, { filePath: 'drizzle/0001_x.sql' })).toEqual([]);
    expect(inTransactionFindings('-- +goose Up\nCOMMIT;\n' + CIC, { filePath: 'db/migrations/20240101000000_x.sql' })).toEqual([]);
    // dbmate's driver runs what follows a COMMIT in a new transaction: still refused there.
    const [dbmate] = inTransactionFindings('-- migrate:up\nCOMMIT;\n' + CIC, { filePath: 'db/migrations/20240101_x.sql' });
    expect(dbmate?.message).toMatch(/dbmate runs this file in a transaction/);
  });

  it('transaction mode "always" and "never" override the detection', () => {
    expect(inTransactionFindings(CIC, { transactionMode: 'always' })).toHaveLength(1);
    expect(inTransactionFindings(OTHER + '\n' + CIC, { filePath: 'migrations/000002_index.up.sql', transactionMode: 'never' })).toEqual([]);
  });

  it('a plain CREATE INDEX under an implicit transaction is moved into a new migration that runs outside one', () => {
    const [finding] = findingsOf('create-index-without-concurrently', '-- migrate:up\n' + OTHER + '\n' + PLAIN, { filePath: 'db/migrations/20240101_x.sql' });
    const [fix] = finding!.fixes;
    expect(fix!.createFiles).toEqual([{ path: expect.stringMatching(/^\d+_[a-z_]+\.sql$/), text: expect.stringMatching(/^-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders \(status\);/) }]);
  });

  it('also flags VACUUM and CREATE DATABASE in a transaction, and ADD VALUE only before PostgreSQL 12', () => {
    const source = "BEGIN;\nVACUUM orders;\nCREATE DATABASE x;\nALTER TYPE mood ADD VALUE 'happy';\nCOMMIT;";
    expect(inTransactionFindings(source, { pgVersion: 11 }).map((finding) => finding.message.split(' cannot')[0])).toEqual([
      'VACUUM',
      'CREATE DATABASE',
      'ALTER TYPE … ADD VALUE (before PostgreSQL 12)',
    ]);
    expect(inTransactionFindings(source, { pgVersion: 12 })).toHaveLength(2);
  });
});
