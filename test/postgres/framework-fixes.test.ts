/**
 * Fixed real migrations, run the way their framework's runner runs them. For each project of
 * ../shared/corpus/frameworks, the project's migrations are applied in the framework's order
 * (`earlierMigrations`; up sections only, through `executionPlan`: the runner's BEGIN/COMMIT, one
 * query per statement or per section) on a fresh database of the newest server. Before a file that
 * gets a verified fix, that database is copied (CREATE DATABASE … TEMPLATE) and the fixed file runs
 * in the copy, followed by the migration the fix creates, if any: none may fail. Then the original
 * file runs on the database and the walk goes on.
 *
 * Where a project's own migrations stop running on a plain PostgreSQL (an extension the server does
 * not ship, roles, templated SQL the tool fills in), the walk stops there: only files before that
 * point are fixed and run. `PLATFORMS` creates the few objects a project takes from its platform, so
 * that its migrations run at all, and fills in the placeholders its tool substitutes; each entry says why.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { applyFix } from '../../server/src/engine/fixes/apply';
import { createdFileOptions, FixVerifier } from '../../server/src/engine/fixes/verify';
import type { Finding } from '../../server/src/engine/findings';
import { Linter } from '../../server/src/engine/lint';
import type { LintOptions } from '../../server/src/engine/options';
import { executionPlan } from '../../server/src/engine/model/execution-plan';
import { earlierMigrations } from '../../server/src/engine/model/migration-set';
import { diskFiles } from '../../server/src/engine/prior-schema-files';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { Fix } from '../../server/src/engine/rules/rule';
import { CORPUS } from '../helpers/corpus';
import { sqlFiles } from '../helpers/sql-files';

const FRAMEWORKS = join(CORPUS, 'frameworks');
const servers = inject('pgServers');
const newest = servers[servers.length - 1]!;
const linter = await Linter.create();
const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id));

/** Fixed files run per project: the done-criterion asks for at least 5. */
const SAMPLE = 8;
const NOT_MIGRATIONS = /(^|\/)(afterReset|seed)\.sql$/;

/** Objects a project's migrations take from the platform they were written for, and the placeholders its tool fills in. */
interface Platform {
  setup: readonly string[];
  placeholders?: Readonly<Record<string, string>>;
}

const PLATFORMS: Readonly<Record<string, Platform>> = {
  // Supabase projects run on Supabase's database, which has these roles and the auth and storage schemas.
  'supabase-chatbot-ui': { setup: supabasePlatform() },
  'supabase-midday': { setup: supabasePlatform() },
  'dbmate-supabase-postgres': { setup: supabasePlatform() },
  // Its first migration takes over golang-migrate's version table from the tool used before goose.
  'goose-thunderdome': { setup: ['CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)', 'INSERT INTO public.schema_migrations VALUES (20230820032023, false)'] },
  // graphile-migrate fills in :DATABASE_* placeholders from .gmrc and the environment; the roles exist beforehand.
  'graphile-migrate-sushii-db': {
    setup: ['sushii_visitor', 'sushii_authenticator', 'sushii_admin'].map(createRole),
    placeholders: { ':DATABASE_OWNER': 'postgres', ':DATABASE_VISITOR': 'sushii_visitor', ':DATABASE_AUTHENTICATOR': 'sushii_authenticator', ':DATABASE_ADMIN': 'sushii_admin' },
  },
};

function createRole(role: string): string {
  return `DO $$ BEGIN CREATE ROLE ${role}; EXCEPTION WHEN duplicate_object THEN NULL; END $$`;
}

function supabasePlatform(): string[] {
  return [
    ...['anon', 'authenticated', 'service_role', 'supabase_admin', 'authenticator', 'supabase_auth_admin', 'supabase_storage_admin', 'dashboard_user'].map(createRole),
    'CREATE SCHEMA IF NOT EXISTS auth',
    'CREATE TABLE IF NOT EXISTS auth.users (id uuid PRIMARY KEY, email text, raw_user_meta_data jsonb)',
    "CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULLIF(current_setting('request.jwt.claim.sub', true), '')::uuid $$",
    "CREATE OR REPLACE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_setting('request.jwt.claim.role', true) $$",
    'CREATE SCHEMA IF NOT EXISTS storage',
    'CREATE TABLE IF NOT EXISTS storage.buckets (id text PRIMARY KEY, name text, public boolean)',
    'CREATE TABLE IF NOT EXISTS storage.objects (id uuid PRIMARY KEY, bucket_id text, name text, owner uuid)',
    'CREATE SCHEMA IF NOT EXISTS extensions',
  ];
}

const projects = readFileSync(join(FRAMEWORKS, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'));
/** MANIFEST.tsv's framework of each project folder. */
const frameworkOf = new Map(projects.map(([folder, framework]) => [folder!, framework!]));

interface Outcome {
  ran: string[];
  failures: string[];
  stoppedAt: string | undefined;
}

describe(`fixed corpus migrations run on PostgreSQL ${newest.major} as their runner runs them`, () => {
  const ranByFramework = new Map<string, number>();

  describe.concurrent('per project: no fixed file fails', () => {
    it.each([...frameworkOf.keys()])('%s', { timeout: 30 * 60_000 }, async (project) => {
      const outcome = await walk(project);
      const framework = frameworkOf.get(project)!;
      ranByFramework.set(framework, (ranByFramework.get(framework) ?? 0) + outcome.ran.length);
      console.log(
        `${project}: ${outcome.ran.length} fixed files ran${outcome.stoppedAt ? `; the project's own migrations stop running at ${outcome.stoppedAt}` : ''}\n  ${outcome.ran.join('\n  ')}`,
      );
      expect(outcome.failures).toEqual([]);
    });
  });

  it('runs at least 5 fixed files per framework', () => {
    console.log([...ranByFramework].map(([framework, ran]) => `${framework}: ${ran}`).join('\n'));
    expect([...ranByFramework].filter(([, ran]) => ran < 5)).toEqual([]);
  });
});

async function walk(project: string): Promise<Outcome> {
  const files = sqlFiles(join(FRAMEWORKS, project)).filter((path) => !NOT_MIGRATIONS.test(path));
  // The set's order: the earlier migrations of the file that has the most of them, then that file.
  const last = files.map((path) => ({ path, earlier: earlierMigrations(path, diskFiles) })).sort((a, b) => b.earlier.length - a.earlier.length)[0]!;
  const order = [...last.earlier, last.path].filter((path) => !/(^|[._/])down\.sql$/.test(path));
  const database = `fixes_${project.replace(/\W/g, '_')}`;
  const outcome: Outcome = { ran: [], failures: [], stoppedAt: undefined };
  const admin = await connect(newest.url);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    const platform = PLATFORMS[project] ?? { setup: [] };
    let base = await connect(databaseUrl(database));
    for (const statement of platform.setup) await base.query(statement);
    const run = (session: pg.Client, text: string, options: Partial<LintOptions>, inDatabase: string) =>
      runMigration(session, text, options, { ':DATABASE_NAME': inDatabase, ...platform.placeholders });
    for (const path of order) {
      const source = readFileSync(path, 'utf8');
      const name = relative(FRAMEWORKS, path);
      const options: Partial<LintOptions> = { ...resolver.forFile(path).options, pgVersion: newest.major };
      // Roles belong to the cluster, not to the database copy: a file that creates or drops them cannot run twice side by side.
      const touchesRoles = /\b(CREATE|DROP|ALTER)\s+(ROLE|USER)\b/i.test(source);
      const fix = outcome.ran.length < SAMPLE && !touchesRoles ? chosenFix(source, options) : undefined;
      let fixedRun: { ok: true } | { ok: false; error: string } | undefined;
      if (fix) {
        // A copy of the database as the earlier migrations left it; CREATE DATABASE … TEMPLATE needs it idle.
        await base.end();
        const copy = `${database}_fixed`;
        await admin.query(`DROP DATABASE IF EXISTS ${copy}`);
        await admin.query(`CREATE DATABASE ${copy} TEMPLATE ${database}`);
        const session = await connect(databaseUrl(copy));
        try {
          await run(session, applyFix(source, fix), options, copy);
          for (const created of (fix.createFiles ?? []).filter((file) => file.path.endsWith('.sql'))) {
            await run(session, created.text, createdFileOptions(options, fix.createFiles!, created), copy);
          }
          fixedRun = { ok: true };
        } catch (error) {
          fixedRun = { ok: false, error: (error as Error).message };
        } finally {
          await session.end();
          await admin.query(`DROP DATABASE ${copy}`);
        }
        base = await connect(databaseUrl(database));
      }
      try {
        await run(base, source, options, database);
      } catch (error) {
        // The file fails as its project wrote it: its fixed version is not to blame, and what follows cannot run.
        outcome.stoppedAt = `${name} (${(error as Error).message})`;
        break;
      }
      if (fixedRun?.ok) outcome.ran.push(`${name}: ${fix!.title}`);
      else if (fixedRun) outcome.failures.push(`${name}, fixed with "${fix!.title}": ${fixedRun.error}`);
    }
    await base.end();
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.end();
  }
  return outcome;
}

/**
 * The fix to run: a verified fix of the file, preferring one that creates a migration (the newest
 * kind), then an error's fix.
 */
function chosenFix(source: string, options: Partial<LintOptions>): Fix | undefined {
  const analysis = linter.lint(source, options);
  if (!analysis.findings.some((finding) => finding.fixes.length > 0)) return undefined;
  const verifier = new FixVerifier(linter, source, options, analysis);
  const fixes = analysis.findings
    .filter((finding) => finding.fixes.length > 0)
    .sort((a, b) => severityRank(a) - severityRank(b))
    .flatMap((finding) => verifier.finding(finding).fixes.filter((fix) => fix.preferred));
  return fixes.find((fix) => fix.createFiles?.length) ?? fixes[0];
}

const severityRank = (finding: Finding) => ['error', 'warning', 'info'].indexOf(finding.severity);

/** Sends what the runner sends: its BEGIN and COMMIT, and each query (a statement, or a whole section), placeholders filled in. */
async function runMigration(session: pg.Client, source: string, options: Partial<LintOptions>, placeholders: Readonly<Record<string, string>>): Promise<void> {
  const { statements, migration } = linter.lint(source, options);
  if (!migration) return;
  const filled = (text: string) => Object.entries(placeholders).reduce((sql, [placeholder, value]) => sql.replaceAll(placeholder, value), text);
  try {
    for (const step of executionPlan(source, statements, migration)) {
      await session.query(step.kind === 'begin' ? 'BEGIN' : step.kind === 'commit' ? 'COMMIT' : filled(step.text));
    }
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(url);
  await client.connect();
  // A failing statement must fail, not hang on a lock another test holds.
  await client.query("SET lock_timeout = '10s'");
  return client;
}

const databaseUrl = (database: string) => newest.url.replace(/\/postgres$/, `/${database}`);
