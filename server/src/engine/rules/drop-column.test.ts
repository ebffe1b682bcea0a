import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'drop-column';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });
const parser = await PostgresParser.load();

describe(RULE, () => {
  it('is an error naming the columns, underlining the first DROP COLUMN', () => {
    const sql = 'ALTER TABLE users DROP COLUMN IF EXISTS legacy_login, DROP "Nick" CASCADE;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('DROP COLUMN IF EXISTS legacy_login');
    expect(finding!.message).toContain('Dropping columns legacy_login, "Nick" of users');
    expect(finding!.message).toMatch(/ORMs/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'users' } });
  });

  describe('stays quiet for columns no running code knows', () => {
    it.each([
      ['table created in the file', 'CREATE TABLE users (id int, tmp int);\nALTER TABLE users DROP COLUMN tmp;', undefined],
      ['column added in the file', 'ALTER TABLE users ADD COLUMN tmp int;\nUPDATE users SET tmp = 1;\nALTER TABLE users DROP COLUMN tmp;', undefined],
      ['down migration', 'ALTER TABLE users DROP COLUMN nickname;', 'migrations/2024-01-01-000000_nick/down.sql'],
    ])('%s', (_name, sql, filePath) => {
      expect(findings(sql, filePath)).toEqual([]);
    });
  });

  it('still flags a column added to another table, or added after the drop', () => {
    expect(findings('ALTER TABLE accounts ADD COLUMN tmp int;\nALTER TABLE users DROP COLUMN tmp;')).toHaveLength(1);
    expect(findings('ALTER TABLE users DROP COLUMN tmp;\nALTER TABLE users ADD COLUMN tmp int;')).toHaveLength(1);
  });

  it('only drop-column reports it (no lock rule repeats the finding)', () => {
    expect(lint('ALTER TABLE users DROP COLUMN nickname;').map((f) => f.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE]);
  });
});

describe(`${RULE}: column swaps`, () => {
  it('exempts a drop whose name another column takes over afterwards, and a column the file renamed to', () => {
    expect(findings('ALTER TABLE e ADD COLUMN event_new jsonb;\nUPDATE e SET event_new = event::jsonb;\nALTER TABLE e DROP COLUMN event;\nALTER TABLE e RENAME COLUMN event_new TO event;')).toEqual([]);
    expect(findings('ALTER TABLE e RENAME COLUMN event TO event_old;\nALTER TABLE e DROP COLUMN event_old;')).toEqual([]);
  });

  it('still flags a drop followed by a new, empty column of the same name', () => {
    expect(findings('ALTER TABLE e DROP COLUMN event;\nALTER TABLE e ADD COLUMN event jsonb;')).toHaveLength(1);
  });
});

it(`${RULE}: stays quiet when the file drops the table afterwards (drop-table reports that)`, () => {
  expect(findingsOf(RULE, 'ALTER TABLE e DROP COLUMN a;\nDROP TABLE e;')).toEqual([]);
});

describe(`${RULE}: DROP COLUMN IF EXISTS of a column the earlier migrations never added`, () => {
  /** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
  const priorSchema = schemaAfter(buildStatements('CREATE TABLE app.guild_configs (id bigint PRIMARY KEY, data jsonb);', parser, defaultOptions()));
  // graphile-migrate (sushii-db 000023.sql): drop-if-exists guards, then the columns are added for the first time.
  const sql = 'ALTER TABLE app.guild_configs\nDROP COLUMN IF EXISTS lookup_opt_in,\nDROP COLUMN IF EXISTS data;\nALTER TABLE app.guild_configs ADD COLUMN lookup_opt_in boolean NOT NULL DEFAULT false;';

  it('is not reported: the guard drops nothing; a column the table has still is', () => {
    const [finding, ...others] = findingsOf(RULE, sql, { priorSchema });
    expect(others).toEqual([]);
    expect(finding!.message).toContain('Dropping column data of app.guild_configs');
    expect(textOf(sql, finding!)).toBe('DROP COLUMN IF EXISTS data');
  });

  it('is reported without IF EXISTS, or when the earlier migrations do not show the table', () => {
    expect(findingsOf(RULE, 'ALTER TABLE app.guild_configs DROP COLUMN lookup_opt_in;', { priorSchema })).toHaveLength(1);
    expect(findingsOf(RULE, 'ALTER TABLE app.guild_configs DROP COLUMN IF EXISTS lookup_opt_in;')).toHaveLength(1);
  });
});

// Review round 4 #64 (harbor 0004_1.8.0_schema.up.sql): columns dropped from a table renamed at the end of the file.
it(`${RULE}: stays quiet when the migration renames the table afterwards (rename-table reports that)`, () => {
  expect(findingsOf(RULE, 'ALTER TABLE replication_job DROP COLUMN tags;\nALTER TABLE replication_job RENAME TO replication_schedule_job;')).toEqual([]);
  // A table renamed, then given its old name back by a view: old queries still reach the columns.
  expect(findingsOf(RULE, 'ALTER TABLE j DROP COLUMN tags;\nALTER TABLE j RENAME TO j_old;\nCREATE VIEW j AS SELECT * FROM j_old;')).toHaveLength(1);
  // Dropped in the down section only: the up section's drop is what the running code meets.
  expect(findingsOf(RULE, '-- migrate:up\nALTER TABLE j DROP COLUMN tags;\n-- migrate:down\nDROP TABLE j;')).toHaveLength(1);
});

// Review round 9 #26 (golang-migrate-pkgsite 000114): the column is added again under the same name in the same
// transaction (a type change by drop and re-add): queries that name it go on working, only the values are gone.
describe('drop-column: a column added again under the same name', () => {
  it.each([
    ['in a later statement', 'BEGIN;\nALTER TABLE docs DROP COLUMN package_path_id;\nALTER TABLE docs ADD COLUMN package_path_id BIGINT;\nEND;\n'],
    ['in the same statement', 'ALTER TABLE docs DROP COLUMN package_path_id, ADD COLUMN package_path_id BIGINT;\n'],
  ])('says the values are gone, not that queries fail, %s', (_, sql) => {
    const [finding, ...others] = findingsOf('drop-column', sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toContain('is dropped and added again under the same name: queries that name it go on working, but every existing value is gone');
    expect(finding!.message).not.toContain('fail as soon as this commits');
  });

  it('still says queries fail when another column is added, or the column comes back only in the down section', () => {
    expect(findingsOf('drop-column', 'ALTER TABLE docs DROP COLUMN package_path_id;\nALTER TABLE docs ADD COLUMN path_id BIGINT;\n')[0]!.message).toContain('fail as soon as this commits');
    const goose = '-- +goose Up\nALTER TABLE docs DROP COLUMN package_path_id;\n-- +goose Down\nALTER TABLE docs ADD COLUMN package_path_id integer;\n';
    expect(findingsOf('drop-column', goose, { filePath: 'migrations/00002_x.sql' })[0]!.message).toContain('fail as soon as this commits');
  });
});
