import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'drop-schema';
const parser = await PostgresParser.load();
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error; CASCADE says everything inside goes', () => {
    const sql = 'DROP SCHEMA IF EXISTS reporting, "Old" CASCADE;';
    const [finding] = findings(sql);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('DROP SCHEMA');
    expect(finding!.message).toContain('removes reporting, "Old"');
    expect(finding!.message).toMatch(/CASCADE drops every table/);
  });

  it('stays quiet without CASCADE: PostgreSQL drops only an empty schema', () => {
    // bionic-gpt 20260723120133: the tables inside are dropped first (drop-table reports them), then the empty schema.
    const sql = 'DROP TABLE IF EXISTS automation.automation_runs;\nDROP SCHEMA IF EXISTS automation;';
    expect(findings(sql)).toEqual([]);
    expect(findingsOf('drop-table', sql)).toHaveLength(1);
    expect(findings('DROP SCHEMA reporting RESTRICT;')).toEqual([]);
  });

  it('stays quiet for schemas created in the file and in down migrations', () => {
    expect(findings('CREATE SCHEMA scratch;\nDROP SCHEMA scratch CASCADE;')).toEqual([]);
    expect(findings('DROP SCHEMA reporting CASCADE;', 'migrations/2024-01-01-000000_reporting/down.sql')).toEqual([]);
    expect(findings('DROP SCHEMA scratch CASCADE;\nCREATE SCHEMA scratch;')).toHaveLength(1);
  });
});

it(`${RULE}: a schema named by CREATE SCHEMA AUTHORIZATION or renamed to in the file is new`, () => {
  expect(findingsOf(RULE, 'CREATE SCHEMA AUTHORIZATION app_owner;\nDROP SCHEMA app_owner CASCADE;')).toEqual([]);
  expect(findingsOf(RULE, 'CREATE SCHEMA tmp;\nALTER SCHEMA tmp RENAME TO tmp2;\nDROP SCHEMA tmp2 CASCADE;')).toEqual([]);
});

describe(`${RULE}: the first migration's "drop schema if exists, then create it" setup`, () => {
  const priorSchema = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));
  // graphile-migrate sushii-db committed/000001.sql (graphile-starter's idiom).
  const setup = 'drop schema if exists app_public cascade;\ndrop schema if exists app_hidden cascade;\ncreate schema app_public;\ncreate schema app_hidden;\ncreate table app_public.users (id int);';

  it('stays quiet when no earlier migration made the schema and the file creates it again', () => {
    expect(findings(setup)).toEqual([]);
  });

  it('reports it once an earlier migration created the schema, or put objects in it', () => {
    for (const earlier of ['create schema app_public;', 'create table app_public.users (id int);']) {
      const reported = findingsOf(RULE, setup, { priorSchema: priorSchema(earlier) });
      expect(reported.map((finding) => [finding.ruleId, finding.severity, textOf(setup, finding)])).toEqual([[RULE, 'error', 'drop schema']]);
      expect(reported[0]!.message).toContain('removes app_public,');
    }
  });

  it('reports it without IF EXISTS, or when the file does not create the schema again', () => {
    expect(findings('drop schema app_public cascade;\ncreate schema app_public;')).toHaveLength(1);
    const [finding] = findings('drop schema if exists app_public cascade;\ncreate schema app_private;');
    expect(finding?.range).toEqual({ start: 0, end: 'drop schema'.length });
  });
});

describe(`${RULE}: a schema the migration tool keeps outside the set's migrations`, () => {
  const priorSchema = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));
  // lemmy 2025-08-01-000018_custom_migration_runner/up.sql: the runner drops and re-creates `r` around every run.
  const sql = 'DROP SCHEMA IF EXISTS r CASCADE;\nCREATE TABLE previously_run_sql (id boolean PRIMARY KEY, content text NOT NULL);';
  const history = priorSchema('CREATE TABLE person (id serial PRIMARY KEY, name text);');

  it('stays quiet when the earlier migrations are known and never made the schema or put anything in it', () => {
    expect(findingsOf(RULE, sql, { priorSchema: history })).toEqual([]);
  });

  it('reports it when the earlier migrations are not known', () => {
    const [finding, ...others] = findingsOf(RULE, sql);
    expect(others).toEqual([]);
    expect([finding!.ruleId, finding!.severity, textOf(sql, finding!)]).toEqual([RULE, 'error', 'DROP SCHEMA']);
  });

  it.each([
    ['created the schema', 'CREATE SCHEMA r;'],
    ['put a table in it', 'CREATE TABLE r.cache (id int);'],
    ['put a function in it', 'CREATE FUNCTION r.now_utc() RETURNS timestamptz LANGUAGE sql AS $$ SELECT now() $$;'],
  ])('reports it when an earlier migration %s', (_name, earlier) => {
    const reported = findingsOf(RULE, sql, { priorSchema: priorSchema(earlier) });
    expect(reported.map((finding) => [finding.ruleId, finding.severity, textOf(sql, finding)])).toEqual([[RULE, 'error', 'DROP SCHEMA']]);
    expect(reported[0]!.message).toContain('removes r,');
  });

  it('reports it when the file itself first dropped what the earlier migrations put in the schema', () => {
    const emptiedFirst = 'DROP TABLE r.cache;\nDROP SCHEMA IF EXISTS r CASCADE;';
    const reported = findingsOf(RULE, emptiedFirst, { priorSchema: priorSchema('CREATE TABLE r.cache (id int);') });
    expect(reported.map((finding) => textOf(emptiedFirst, finding))).toEqual(['DROP SCHEMA']);
  });

  it('reports it without IF EXISTS', () => {
    expect(findingsOf(RULE, 'DROP SCHEMA r CASCADE;', { priorSchema: history })).toHaveLength(1);
  });
});
