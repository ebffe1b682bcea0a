import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const parser = await PostgresParser.load();

const RULE = 'drop-table';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error: running code breaks, and the table is locked ACCESS EXCLUSIVE', () => {
    const sql = 'DROP TABLE IF EXISTS legacy_orders, app.old_items CASCADE;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('DROP TABLE');
    expect(finding!.message).toContain('removes legacy_orders, app.old_items');
    expect(finding!.message).toMatch(/queries fail as soon as this commits/);
    expect(finding!.message).toMatch(/CASCADE also drops/);
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'legacy_orders' } });
    expect(finding!.noFixReason).toMatch(/deploy/);
  });

  it('names only the tables the file did not create', () => {
    const [finding] = findings('CREATE TABLE tmp (id int);\nDROP TABLE tmp, legacy;');
    expect(finding!.message).toContain('removes legacy,');
    expect(finding!.message).not.toContain('tmp');
  });

  describe('stays quiet where no running code can use the table', () => {
    it.each([
      ['created earlier in the file', 'CREATE TABLE tmp (id int);\nDROP TABLE tmp;', undefined],
      ['a diesel down migration', 'DROP TABLE posts;', 'migrations/2024-01-01-000000_posts/down.sql'],
      ['a golang-migrate down migration', 'DROP TABLE posts;', 'db/000001_posts.down.sql'],
      ['a dbmate down section', '-- migrate:up\nCREATE TABLE posts (id int);\n-- migrate:down\nDROP TABLE posts;', undefined],
      ['a goose down section', '-- +goose Up\nSELECT 1;\n-- +goose Down\nDROP TABLE posts;', 'db/20240101_posts.sql'],
      ['other drops', 'DROP VIEW v;\nDROP INDEX CONCURRENTLY i;', undefined],
    ])('%s', (_name, sql, filePath) => {
      expect(findings(sql, filePath)).toEqual([]);
    });

    it('but flags the up section of the same file', () => {
      expect(findings('-- migrate:up\nDROP TABLE posts;\n-- migrate:down\nCREATE TABLE posts (id int);')).toHaveLength(1);
    });
  });

  it('is the only rule that reports a DROP TABLE (besides the timeout hygiene rules)', () => {
    expect(lint('DROP TABLE legacy;').map((f) => f.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE]);
  });
});

describe(`${RULE}: names only this migration used`, () => {
  it('exempts a backup the file renamed the table to, and a swap that gives the name to another table', () => {
    const rebuild = 'ALTER TABLE devices RENAME TO _bkp_devices;\nCREATE TABLE devices (id bigint);\nINSERT INTO devices SELECT id FROM _bkp_devices;\nDROP TABLE _bkp_devices;';
    expect(findings(rebuild)).toEqual([]);
    expect(findings('DROP TABLE devices;\nALTER TABLE devices_new RENAME TO devices;')).toEqual([]);
  });

  it('still flags a drop followed by a new, empty table of the same name: the data is gone', () => {
    expect(findings('DROP TABLE IF EXISTS devices;\nCREATE TABLE devices (id bigint);')).toHaveLength(1);
  });
});

// Review round 8 #33 (graphile-migrate-sushii-db 000002.sql): the first migration re-creates app_hidden empty, nothing
// creates app_hidden.failures before, so DROP TABLE IF EXISTS in front of its CREATE TABLE drops nothing.
describe('drop-table: IF EXISTS of a table the migrations show cannot exist yet', () => {
  const priorOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));
  const guard = 'DROP TABLE IF EXISTS app_hidden.failures cascade;\nCREATE TABLE app_hidden.failures (failure_id TEXT PRIMARY KEY, attempt_count INTEGER NOT NULL);\n';

  it('is quiet when the schema was created empty and a later statement creates the table', () => {
    const priorSchema = priorOf('drop schema if exists app_hidden cascade;\ncreate schema app_hidden;');
    expect(findingsOf('drop-table', guard, { priorSchema })).toEqual([]);
  });

  it('still reports when the schema may hold tables the migrations do not show, the table exists, or nothing creates it again', () => {
    expect(findingsOf('drop-table', guard, { priorSchema: priorOf('create schema if not exists app_hidden;') })).toHaveLength(1);
    expect(findingsOf('drop-table', guard, { priorSchema: priorOf('create schema app_hidden;\ncreate table app_hidden.failures (id int);') })).toHaveLength(1);
    expect(findingsOf('drop-table', 'DROP TABLE IF EXISTS app_hidden.failures;\n', { priorSchema: priorOf('create schema app_hidden;') })).toHaveLength(1);
    expect(findingsOf('drop-table', 'DROP TABLE app_hidden.failures;\nCREATE TABLE app_hidden.failures (id int);\n', { priorSchema: priorOf('create schema app_hidden;') })).toHaveLength(1);
  });
});

// Review rounds 8 #33 and 9 #34: the drop finds nothing, so it takes no lock either, and graphile-migrate's current.sql
// comes after the committed migrations that created the schema empty.
describe('drop-table: a re-run guard that finds nothing takes no lock', () => {
  it('gets no missing-lock-timeout finding', () => {
    const priorSchema = schemaAfter(buildStatements('create schema app_hidden;', parser, defaultOptions()));
    const sql = 'DROP TABLE IF EXISTS app_hidden.failures cascade;\nCREATE TABLE app_hidden.failures (failure_id TEXT PRIMARY KEY);\n';
    expect(lint(sql, { priorSchema }).map((finding) => finding.ruleId)).not.toContain('missing-lock-timeout');
    expect(lint('DROP TABLE IF EXISTS app_hidden.other;\n', { priorSchema }).map((finding) => finding.ruleId)).toContain('missing-lock-timeout');
  });
});

// Review round 10 #33 (goose-thunderdome 20230823231905_create_schema.sql): dropping the previous migration tool's
// version table when the project switches to goose: no application query reads it.
describe("drop-table: a migration tool's bookkeeping table", () => {
  it('is quiet', () => {
    expect(findingsOf('drop-table', 'DROP TABLE IF EXISTS public.schema_migrations;\n')).toEqual([]);
    expect(findingsOf('drop-table', 'DROP TABLE gorp_migrations;\n')).toEqual([]);
  });

  it('still reports an application table, or a table named like a tool table whose columns differ', () => {
    expect(findingsOf('drop-table', 'DROP TABLE schema_migrations_backup;\n')).toHaveLength(1);
    const priorSchema = schemaAfter(buildStatements('CREATE TABLE migrations (id int PRIMARY KEY, body text);', parser, defaultOptions()));
    expect(findingsOf('drop-table', 'DROP TABLE migrations;\n', { priorSchema })).toHaveLength(1);
    expect(findingsOf('drop-table', 'DROP TABLE migrations;\n')).toHaveLength(1);
  });
});
