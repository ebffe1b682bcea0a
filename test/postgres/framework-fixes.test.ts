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
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { applyFix } from '../../server/src/engine/fixes/apply';
import { createdFileOptions } from '../../server/src/engine/fixes/created-files';
import { FixVerifier } from '../../server/src/engine/fixes/verify';
import type { Finding } from '../../server/src/engine/findings';
import { Linter } from '../../server/src/engine/lint';
import type { LintOptions } from '../../server/src/engine/options';
import { executionPlan } from '../../server/src/engine/model/execution-plan';
import { earlierMigrations } from '../../server/src/engine/model/migration-set';
import { diskFiles } from '../../server/src/engine/prior-schema-files';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { Fix } from '../../server/src/engine/rules/rule';
import { CORPUS, HAS_CORPUS, frameworkProjects } from '../helpers/corpus';
import { sqlFiles } from '../helpers/sql-files';
import { STAND_INS_FROM_MAJOR, writeStandIns } from './extension-stand-ins';

const FRAMEWORKS = join(CORPUS, 'frameworks');
const servers = inject('pgServers');
const newest = servers[servers.length - 1]!;
const linter = await Linter.create();
const resolver = new ConfigResolver(ALL_RULES.map((rule) => rule.id));
/** Where `CREATE EXTENSION` finds the stand-ins of extensions the server does not ship (see extension-stand-ins.ts). */
const standIns = newest.major >= STAND_INS_FROM_MAJOR ? await writeStandIns() : undefined;
afterAll(async () => {
  if (standIns) await rm(standIns, { recursive: true, force: true });
});

/** Fixed files run per project: the done-criterion asks for at least 5. */
const SAMPLE = 8;
const NOT_MIGRATIONS = /(^|\/)(afterReset|seed)\.sql$/;

/** Objects a project's migrations take from the platform they were written for, and the placeholders its tool fills in. */
interface Platform {
  setup: readonly string[];
  /** Settings the platform gives every connection (a database default there), made before each migration. */
  session?: readonly string[];
  placeholders?: Readonly<Record<string, string>>;
}

const DBMATE_VERSIONS = 'CREATE TABLE IF NOT EXISTS public.schema_migrations (version varchar(128) PRIMARY KEY)';

/** The role-name placeholders of the Liquibase project's changesets. */
const LIQUIBASE_ROLES = [
  'admRoleName', 'anAdmName', 'anRoleName', 'anSvcName', 'appRoleName', 'bpAdminPortalServiceName', 'bpmServiceName', 'excerptExporterName',
  'excerptSvcName', 'excerptWorkName', 'geoserverRoleName', 'histRoleName', 'notificationServiceName', 'notificationTemplatePublisherName',
  'processHistoryRoleName', 'pubUser', 'redashAdminRoleName', 'redashViewerRoleName', 'regOwnerName', 'regRegulationRoleName', 'regTemplateOwnerName', 'settRoleName',
];

const liquibaseRole = (placeholder: string) => `lb_${placeholder.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`;

/** Supabase's database: its roles, the auth and storage schemas, the extensions schema on the search path. */
const SUPABASE: Platform = { setup: supabasePlatform(), session: ['SET search_path = "$user", public, extensions'] };

const PLATFORMS: Readonly<Record<string, Platform>> = {
  // Supabase projects run on Supabase's database, which has these roles and the auth and storage schemas.
  'supabase-chatbot-ui': SUPABASE,
  'supabase-midday': SUPABASE,
  'dbmate-supabase-postgres': SUPABASE,
  // Its first migration takes over golang-migrate's version table from the tool used before goose.
  'goose-thunderdome': { setup: ['CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)', 'INSERT INTO public.schema_migrations VALUES (20230820032023, false)'] },
  // dbmate creates its version table before the first migration; bionic-gpt's first one grants on it.
  'dbmate-bionic-gpt': { setup: [DBMATE_VERSIONS] },
  'dbmate-lobu': { setup: [DBMATE_VERSIONS] },
  // Liquibase fills ${…} from properties the deployment passes (not in the repository): each role placeholder gets
  // a role of its own, created beforehand as the project's postgres changelog does; ${dbName} is the database run on.
  'liquibase-edp-ddm-registry-postgres': {
    setup: [...LIQUIBASE_ROLES.map((placeholder) => createRole(liquibaseRole(placeholder))), 'CREATE SCHEMA IF NOT EXISTS archive'],
    placeholders: {
      ...Object.fromEntries(LIQUIBASE_ROLES.map((placeholder) => [`\${${placeholder}}`, liquibaseRole(placeholder)])),
      '${archiveSchema}': 'archive',
    },
  },
  // graphile-migrate fills in :DATABASE_* placeholders from .gmrc and the environment; the roles exist beforehand.
  'graphile-migrate-sushii-db': {
    // The extensions `graphile-migrate reset` creates first (migrations/afterReset.sql), but timescaledb, which the server does not ship.
    setup: [
      ...['sushii_visitor', 'sushii_authenticator', 'sushii_admin'].map(createRole),
      'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public',
      'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public',
      'CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public',
    ],
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
    'CREATE TABLE IF NOT EXISTS storage.buckets (id text PRIMARY KEY, name text NOT NULL, owner uuid, owner_id text, public boolean DEFAULT false, file_size_limit bigint, allowed_mime_types text[], created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now())',
    'CREATE TABLE IF NOT EXISTS storage.objects (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), bucket_id text REFERENCES storage.buckets (id), name text, owner uuid, owner_id text, metadata jsonb, path_tokens text[], version text, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), last_accessed_at timestamptz DEFAULT now())',
    "CREATE OR REPLACE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT (string_to_array(name, '/'))[1:array_length(string_to_array(name, '/'), 1) - 1] $$",
    "CREATE OR REPLACE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $$",
    "CREATE OR REPLACE FUNCTION storage.extension(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT reverse(split_part(reverse(name), '.', 1)) $$",
    "CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb $$",
    // Database webhooks: triggers call supabase_functions.http_request(url, method, headers, body, timeout).
    'CREATE SCHEMA IF NOT EXISTS supabase_functions',
    'CREATE OR REPLACE FUNCTION supabase_functions.http_request() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
    'CREATE SCHEMA IF NOT EXISTS extensions',
    // Supabase creates these schemas before pgsodium and supabase_vault go in (WITH SCHEMA needs them).
    'CREATE SCHEMA IF NOT EXISTS pgsodium',
    'CREATE SCHEMA IF NOT EXISTS vault',
    // Preinstalled in the extensions schema, which Supabase's search_path includes.
    'CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions',
    'CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions',
    // Realtime's publication; creating one needs no logical wal_level.
    'CREATE PUBLICATION supabase_realtime',
  ];
}

/** MANIFEST.tsv's framework of each project folder. */
const frameworkOf = new Map(frameworkProjects().map(({ folder, framework }) => [folder, framework]));

/**
 * Frameworks whose projects cannot run 5 fixed files here, and why. dbmate gets there through bionic-gpt
 * alone: lobu's baseline builds ivfflat indexes WITH (lists = …), which no SQL-only stand-in accepts, and
 * supabase/postgres first demotes `postgres`, the test cluster's bootstrap superuser.
 */
const EXCEPTIONS: Readonly<Record<string, string>> = standIns
  ? {}
  : { 'supabase-cli': `the stand-ins of the extensions Supabase ships (pg_net, http, vector) need PostgreSQL ${STAND_INS_FROM_MAJOR} or later` };

interface Outcome {
  ran: string[];
  failures: string[];
  /** Where the project's own migrations stop running, per set. */
  stoppedAt: string[];
}

describe.skipIf(!HAS_CORPUS)(`fixed corpus migrations run on PostgreSQL ${newest.major} as their runner runs them`, () => {
  const ranByFramework = new Map<string, number>();

  describe.concurrent('per project: no fixed file fails', () => {
    it.each([...frameworkOf.keys()])('%s', { timeout: 30 * 60_000 }, async (project) => {
      const outcome = await walk(project);
      const framework = frameworkOf.get(project)!;
      ranByFramework.set(framework, (ranByFramework.get(framework) ?? 0) + outcome.ran.length);
      console.log(
        `${project}: ${outcome.ran.length} fixed files ran\n  ${outcome.ran.join('\n  ')}${outcome.stoppedAt.map((stop) => `\n  the project's own migrations stop running at ${stop}`).join('')}`,
      );
      expect(outcome.failures).toEqual([]);
    });
  });

  it('runs at least 5 fixed files per framework', () => {
    console.log([...ranByFramework].map(([framework, ran]) => `${framework}: ${ran}`).join('\n'));
    const short = [...ranByFramework].filter(([, ran]) => ran < 5).map(([framework]) => framework);
    // An exception that reaches 5 again must leave the list, so that it is held to the criterion.
    expect(short.sort(), `below 5, expected only: ${JSON.stringify(EXCEPTIONS)}`).toEqual(Object.keys(EXCEPTIONS).sort());
  });
});

async function walk(project: string): Promise<Outcome> {
  const outcome: Outcome = { ran: [], failures: [], stoppedAt: [] };
  // A project can hold several independent sets (Liquibase: one folder per database); each runs on its own database until the sample is full.
  for (const order of migrationSets(project)) {
    if (outcome.ran.length >= SAMPLE) break;
    await walkSet(project, order, outcome);
  }
  return outcome;
}

/** The project's migration sets, each in its framework's order, up sections only: the earlier migrations of each file no other file's set contains, then that file. */
function migrationSets(project: string): string[][] {
  const files = sqlFiles(join(FRAMEWORKS, project)).filter((path) => !NOT_MIGRATIONS.test(path));
  const sets = files.map((path) => [...earlierMigrations(path, diskFiles), path].filter((file) => !/(^|[._/])down\.sql$/.test(file)));
  const contained = new Set(sets.flatMap((set) => set.slice(0, -1)));
  const tips = sets.filter((set) => !contained.has(set.at(-1)!));
  // The longest first, and sets made of one lone file (not a recognised set) only when nothing else is there.
  return tips.sort((a, b) => b.length - a.length || a.at(-1)!.localeCompare(b.at(-1)!)).filter((set, index) => index === 0 || set.length > 1);
}

async function walkSet(project: string, order: readonly string[], outcome: Outcome): Promise<void> {
  const database = `fixes_${project.replace(/\W/g, '_')}`;
  const admin = await connect(newest.url);
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    const platform = PLATFORMS[project] ?? { setup: [] };
    let base = await connect(databaseUrl(database));
    for (const statement of platform.setup) await base.query(statement);
    const run = async (session: pg.Client, text: string, options: Partial<LintOptions>, inDatabase: string) => {
      for (const setting of platform.session ?? []) await session.query(setting);
      await runMigration(session, text, options, { ':DATABASE_NAME': inDatabase, '${dbName}': inDatabase, ...platform.placeholders });
    };
    for (const path of order) {
      const source = readFileSync(path, 'utf8');
      const name = relative(FRAMEWORKS, path);
      const options: Partial<LintOptions> = { ...resolver.forFile(path).options, pgVersion: newest.major };
      // Roles belong to the cluster, not to the database copy: a file that creates or drops them cannot run twice side by side.
      const touchesRoles = /\b(CREATE|DROP|ALTER)\s+(ROLE|USER)\b/i.test(source);
      const fix = outcome.ran.length < SAMPLE && !touchesRoles ? chosenFix(source, asWritten(options)) : undefined;
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
        outcome.stoppedAt.push(`${name}: ${(error as Error).message}`);
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
}

/**
 * The fix to run: a verified fix of the file, preferring one that creates a migration (the newest
 * kind), then an error's fix.
 */
/**
 * The options the file was linted with while it was being written: a committed graphile-migrate migration was
 * migrations/current.sql then (its hash seals it once committed, and Lockguard offers no edit of it).
 */
function asWritten(options: Partial<LintOptions>): Partial<LintOptions> {
  const committed = /^(.*\/migrations)\/committed\/[^/]+\.sql$/.exec(options.filePath ?? '');
  return committed ? { ...options, filePath: `${committed[1]}/current.sql` } : options;
}

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
  for (const step of executionPlan(source, statements, migration)) {
    const query = step.kind === 'begin' ? 'BEGIN' : step.kind === 'commit' ? 'COMMIT' : filled(step.text);
    try {
      await session.query(query);
    } catch (error) {
      await session.query('ROLLBACK').catch(() => undefined);
      throw new Error(`${(error as Error).message}\n    in: ${excerpt(query, (error as pg.DatabaseError).position)}`, { cause: error });
    }
  }
}

/** The failing query, cut to the line PostgreSQL points at (its 1-based `position`), or to its first lines. */
function excerpt(query: string, position: string | undefined): string {
  const at = position ? Number(position) - 1 : 0;
  const start = query.lastIndexOf('\n', at) + 1;
  const end = query.indexOf('\n', at);
  const line = query.slice(start, end === -1 ? undefined : end).trim();
  const head = query.trim().split('\n').slice(0, 3).join(' ').slice(0, 200);
  return position ? `${line.slice(0, 200)} (line ${query.slice(0, at).split('\n').length} of: ${head.slice(0, 80)}…)` : head;
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client(url);
  await client.connect();
  // A failing statement must fail, not hang on a lock another test holds.
  await client.query("SET lock_timeout = '10s'");
  if (standIns) await client.query(`SET extension_control_path = '$system:${standIns}'`);
  return client;
}

const databaseUrl = (database: string) => newest.url.replace(/\/postgres$/, `/${database}`);
