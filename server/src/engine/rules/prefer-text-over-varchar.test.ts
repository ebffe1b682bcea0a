import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'prefer-text-over-varchar';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it.each([
    ['varchar(n)', 'CREATE TABLE u (email varchar(255) NOT NULL);', 'varchar(255)', 'CREATE TABLE u (email text CHECK (char_length(email) <= 255) NOT NULL);'],
    ['the long form, a quoted column', 'CREATE TABLE u ("Name" character varying (20));', 'character varying (20)', 'CREATE TABLE u ("Name" text CHECK (char_length("Name") <= 20));'],
  ])('info on a new table, with a fix to text and a CHECK: %s', (_name, sql, range, fixed) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('info');
    expect(textOf(sql, finding!)).toBe(range);
    expect(finding!.message).toContain('its limit can only change with ALTER COLUMN TYPE');
    expect(finding!.fixes[0]).toMatchObject({ preferred: true, autoApplicable: false });
    const after = applyFix(sql, finding!.fixes[0]!);
    expect(after).toBe(fixed);
    expect(lint(after).filter((other) => other.ruleId === RULE || other.ruleId === 'syntax-error')).toEqual([]);
  });

  it.each([
    ['ADD COLUMN on an existing table', 'ALTER TABLE users ADD COLUMN email varchar(255);', 'an inline CHECK scans the table'],
    ['ALTER COLUMN TYPE', 'ALTER TABLE users ALTER COLUMN email TYPE varchar(320);', 'A CHECK cannot be part of ALTER COLUMN'],
  ])('no fix, and how to get there, on an existing table: %s', (_name, sql, reason) => {
    const [finding] = findings(sql);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain(reason);
  });

  it('is quiet for text and unlimited varchar', () => {
    expect(findings('CREATE TABLE u (a text, b varchar, c varchar(10)[]);')).toEqual([]);
  });

  // hydra 20190200000001000000_jwk.up.sql also runs on MySQL, where a text column cannot be in a primary key.
  it('is quiet in a pop migration named without a database, beside ones named for a database', () => {
    const sql = 'CREATE TABLE IF NOT EXISTS hydra_jwk (sid varchar(255) NOT NULL, kid varchar(255) NOT NULL, PRIMARY KEY (sid, kid));';
    const listSiblings = () => ['20190100000008000000_client.postgres.up.sql', '20190200000001000000_jwk.up.sql'];
    expect(findingsOf(RULE, sql, { filePath: 'migrations/20190200000001000000_jwk.up.sql', listSiblings })).toEqual([]);
    expect(findingsOf(RULE, sql, { filePath: 'migrations/20190200000001000000_jwk.postgres.up.sql', listSiblings })).toHaveLength(2);
  });
});

// Review round 4 #59 (supabase-storage tenant/0002-storage-schema.sql): a copy of postgres-migrations' own table.
describe('a migration tool\'s bookkeeping table', () => {
  const TYPE_RULES = ['prefer-text-over-varchar', 'prefer-timestamptz', 'prefer-bigint-over-int', 'prefer-identity-over-serial', 'prefer-jsonb', 'avoid-char-n'];
  const typeFindings = (sql: string) => lint(sql).filter((finding) => TYPE_RULES.includes(finding.ruleId));
  const postgresMigrations =
    'CREATE TABLE IF NOT EXISTS "storage"."migrations" (\n  id integer PRIMARY KEY,\n  name varchar(100) UNIQUE NOT NULL,\n' +
    '  hash varchar(40) NOT NULL, -- sha1 hex encoded hash of the file name and contents\n  executed_at timestamp DEFAULT current_timestamp\n);\n';

  it.each([
    ['postgres-migrations, in a schema of the project', postgresMigrations],
    ['goose', 'CREATE TABLE IF NOT EXISTS goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());'],
    ['dbmate', 'CREATE TABLE IF NOT EXISTS public.schema_migrations (version varchar(128) PRIMARY KEY);'],
    ['sqitch', 'CREATE TABLE IF NOT EXISTS sqitch.releases (version real PRIMARY KEY, installed_at timestamp NOT NULL, installer_name varchar(255));'],
  ])('is left to the tool that owns its types: %s', (_name, sql) => {
    expect(typeFindings(sql)).toEqual([]);
  });

  it.each([
    ['an application table named migrations', 'CREATE TABLE IF NOT EXISTS migrations (id serial PRIMARY KEY, version_before integer, application_version varchar(128) NOT NULL);'],
    ['a tool table without IF NOT EXISTS: the project creates it', 'CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);'],
    ['a table named like a sqitch one, outside its registry', 'CREATE TABLE IF NOT EXISTS tags (name varchar(64) PRIMARY KEY);'],
  ])('still reports %s', (_name, sql) => {
    expect(typeFindings(sql).length).toBeGreaterThan(0);
  });
});
