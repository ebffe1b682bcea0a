import { describe, expect, it } from 'vitest';
import { findingsOf } from '../../../../../test/helpers/lint';

const PRISMA = 'prisma/migrations/20240209110749_create_orders/migration.sql';
const DRIZZLE_SQL = (statement: string) => `${statement}\n--> statement-breakpoint\nSELECT 1;`;
const PRISMA_SQL = (statement: string) => `-- CreateTable\n${statement}`;
const STYLE_ON = { generatedMigrations: { styleRules: 'on' as const } };

/** Each type-style rule, with a column it flags in SQL written by hand. */
const STYLE_RULES: readonly (readonly [string, string])[] = [
  ['prefer-timestamptz', 'CREATE TABLE "Order" ("createdAt" TIMESTAMP(3) NOT NULL);'],
  ['prefer-identity-over-serial', 'CREATE TABLE "Order" ("id" SERIAL NOT NULL);'],
  ['prefer-text-over-varchar', 'CREATE TABLE "Order" ("note" VARCHAR(255));'],
  ['prefer-bigint-over-int', 'CREATE TABLE "Order" ("id" INTEGER NOT NULL PRIMARY KEY);'],
  ['avoid-char-n', 'CREATE TABLE "Order" ("code" CHAR(3));'],
  ['prefer-jsonb', 'CREATE TABLE "Order" ("meta" JSON);'],
];

describe('type-style rules on SQL an ORM generated', () => {
  it.each(STYLE_RULES)('%s: reported with a SQL fix when written by hand', (rule, statement) => {
    const [finding] = findingsOf(rule, PRISMA_SQL(statement), { filePath: 'db/migrations/0001_orders.sql' });
    expect(finding!.fixes.length).toBeGreaterThan(0);
  });

  it.each(STYLE_RULES)('%s: quiet by default on Prisma and Drizzle output', (rule, statement) => {
    expect(findingsOf(rule, PRISMA_SQL(statement), { filePath: PRISMA })).toEqual([]);
    expect(findingsOf(rule, DRIZZLE_SQL(statement))).toEqual([]);
  });

  it.each(STYLE_RULES)('%s: when turned on, points to the ORM schema and offers no SQL fix', (rule, statement) => {
    const [prisma] = findingsOf(rule, PRISMA_SQL(statement), { filePath: PRISMA, ...STYLE_ON });
    expect(prisma!.severity).toBe('info');
    expect(prisma!.message).toContain('Prisma Migrate generated this SQL from schema.prisma: change the field there');
    expect(prisma!.fixes).toEqual([]);
    expect(prisma!.noFixReason).toBe('Prisma generated this SQL: the change belongs in its schema, and an edit of the SQL would drift from it.');
    const [drizzle] = findingsOf(rule, DRIZZLE_SQL(statement), STYLE_ON);
    expect(drizzle!.message).toContain('drizzle-kit generated this SQL from your Drizzle schema');
    expect(drizzle!.fixes).toEqual([]);
  });
});
