import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, HAS_CORPUS } from '../../../../test/helpers/corpus';
import { generatedMigration, type MigrationFile } from './generated-migration';

const generatorOf = (file: Partial<MigrationFile> & { source: string }) => generatedMigration({ filePath: undefined, readSibling: undefined, ...file })?.generator;
const noSiblings = () => undefined;

describe('generatedMigration', () => {
  describe('Prisma: migrations/<14 digits>_<name>/migration.sql with its step comments', () => {
    const filePath = 'prisma/migrations/20240209110749_add_events/migration.sql';
    it('recognises generated steps', () => {
      expect(generatorOf({ filePath, source: '-- CreateTable\nCREATE TABLE "Event" ("id" TEXT NOT NULL);\n\n-- AddForeignKey\nALTER TABLE "Event" ADD CONSTRAINT x;' })).toBe('Prisma');
      expect(generatorOf({ filePath: filePath.replaceAll('/', '\\'), source: '-- AlterTable\r\nALTER TABLE "Event" ADD COLUMN "at" TIMESTAMP(3);\r\n' })).toBe('Prisma');
    });
    it('recognises generated steps whose comments the team stripped, by Prisma\'s formatting', () => {
      expect(generatorOf({ filePath, source: 'ALTER TABLE "public"."WorkerDeployment" ADD COLUMN     "startedAt" TIMESTAMP(3);' })).toBe('Prisma');
      expect(generatorOf({ filePath, source: 'CREATE TABLE "Token" (\n    "id" TEXT NOT NULL,\n    CONSTRAINT "Token_pkey" PRIMARY KEY ("id")\n);' })).toBe('Prisma');
      expect(generatorOf({ filePath, source: '-- add the column the importer needs\nALTER TABLE "Event" ADD COLUMN     "at" TIMESTAMP(3);' })).toBeUndefined();
      expect(generatorOf({ filePath, source: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Event_at_idx" ON "Event" ("at");' })).toBeUndefined();
    });
    it('leaves a migration written by hand in the same layout (prisma migrate dev --create-only)', () => {
      expect(generatorOf({ filePath, source: '-- Backfill the new column\nUPDATE "Event" SET "at" = now();' })).toBeUndefined();
    });
    it('needs the layout, not only the comments', () => {
      expect(generatorOf({ filePath: 'db/V3__events.sql', source: '-- CreateTable\nCREATE TABLE e (id int);' })).toBeUndefined();
    });
  });

  describe('Drizzle: statement breakpoints or a meta/_journal.json beside the file', () => {
    it('recognises drizzle-kit output by its breakpoints', () => {
      expect(generatorOf({ source: 'CREATE TABLE "a" ("id" text);\n--> statement-breakpoint\nCREATE INDEX "a_idx" ON "a" ("id");' })).toBe('Drizzle');
    });
    it('recognises a one-statement file (no breakpoint) by the journal beside it', () => {
      const readSibling = (name: string) => (name === 'meta/_journal.json' ? '{"entries":[]}' : undefined);
      expect(generatorOf({ filePath: 'drizzle/0004_nasty_mesmero.sql', source: 'ALTER TABLE "s" ADD COLUMN "on" boolean;', readSibling })).toBe('Drizzle');
      expect(generatorOf({ filePath: 'drizzle/0004_nasty_mesmero.sql', source: 'ALTER TABLE "s" ADD COLUMN "on" boolean;', readSibling: noSiblings })).toBeUndefined();
    });
    it('leaves custom migrations (drizzle-kit generate --custom) and commented one-statement files: someone wrote them', () => {
      expect(generatorOf({ source: '-- Custom SQL migration file, put your code below! --\nCREATE TABLE a (id int);\n--> statement-breakpoint\nSELECT 1;' })).toBeUndefined();
      const readSibling = (name: string) => (name === 'meta/_journal.json' ? '{"entries":[]}' : undefined);
      expect(generatorOf({ source: '-- Enable pgvector extension\nCREATE EXTENSION IF NOT EXISTS vector;', readSibling })).toBeUndefined();
    });
    it('keeps generated output that someone annotated afterwards generated', () => {
      expect(generatorOf({ source: 'CREATE TABLE "a" ("id" text);\n--> statement-breakpoint\n-- dedupe before the unique index\nDELETE FROM "a" WHERE false;' })).toBe('Drizzle');
    });
    it("keeps drizzle-kit's own introspection banner generated", () => {
      expect(generatorOf({ source: '-- Current sql file was generated after introspecting the database\nCREATE TABLE "a" ("id" text);\n--> statement-breakpoint\nSELECT 1;' })).toBe('Drizzle');
    });
  });

  it('Supabase: supabase db diff / db pull output, <timestamp>_remote_schema.sql', () => {
    expect(generatorOf({ filePath: 'supabase/migrations/20240624104607_remote_schema.sql', source: 'create table "public"."t" ("id" int);' })).toBe('Supabase CLI');
    expect(generatorOf({ filePath: 'supabase/migrations/20240624104607_add_teams.sql', source: 'create table t (id int);' })).toBeUndefined();
  });

  it('names where the change belongs', () => {
    expect(generatedMigration({ filePath: 'supabase/migrations/1_remote_schema.sql', source: '', readSibling: undefined })!.changeInstead).toContain('supabase db diff');
    expect(generatedMigration({ filePath: undefined, source: 'SELECT 1;\n--> statement-breakpoint\nSELECT 2;', readSibling: undefined })!.changeInstead).toContain('drizzle-kit generate');
  });

  describe.skipIf(!HAS_CORPUS)('on the shared corpus', () => {
    const recognised = (directory: string, pick: (name: string) => string | undefined) =>
      readdirSync(directory).flatMap((name) => {
        const path = pick(name);
        if (!path) return [];
        return [generatorOf({ filePath: path, source: readFileSync(path, 'utf8'), readSibling: (sibling) => (existsSync(join(dirname(path), sibling)) ? 'present' : undefined) }) ?? 'hand-written'];
      });
    const count = (generators: string[]) => generators.reduce<Record<string, number>>((counts, generator) => ({ ...counts, [generator]: (counts[generator] ?? 0) + 1 }), {});

    it("trigger.dev's Prisma migrations: the generated ones, not those written by hand", () => {
      const directory = join(CORPUS, 'trigger.dev/internal-packages/database/prisma/migrations');
      const counts = count(recognised(directory, (name) => (existsSync(join(directory, name, 'migration.sql')) ? join(directory, name, 'migration.sql') : undefined)));
      expect(Object.keys(counts).sort()).toEqual(['Prisma', 'hand-written']);
      // Most steps are generated; backfills, concurrent indexes and data fixes are written by hand.
      expect(counts.Prisma! / (counts.Prisma! + counts['hand-written']!)).toBeGreaterThan(0.8);
      expect(generatorOf({ filePath: join(directory, '20231121154545_seed_job_counter_tables/migration.sql'), source: readFileSync(join(directory, '20231121154545_seed_job_counter_tables/migration.sql'), 'utf8') })).toBeUndefined();
    });

    it("drizzle-sim's migrations: generated, except one-statement files with comments of their own", () => {
      const directory = join(CORPUS, 'frameworks/drizzle-sim/packages/db/migrations');
      const counts = count(recognised(directory, (name) => (name.endsWith('.sql') ? join(directory, name) : undefined)));
      expect(Object.keys(counts).sort()).toEqual(['Drizzle', 'hand-written']);
      expect(counts.Drizzle).toBeGreaterThan(counts['hand-written']!);
    });

    it("midday's remote_schema files are supabase db diff output", () => {
      const directory = join(CORPUS, 'frameworks/supabase-midday/apps/api/supabase/migrations');
      expect(count(recognised(directory, (name) => (name.endsWith('_remote_schema.sql') ? join(directory, name) : undefined)))).toEqual({ 'Supabase CLI': expect.any(Number) });
      expect(generatorOf({ filePath: join(directory, 'seed.sql'), source: readFileSync(join(directory, 'seed.sql'), 'utf8') })).toBeUndefined();
    });
  });
});
