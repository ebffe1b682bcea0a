import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'drop-not-null';
const findings = (sql: string) => findingsOf(RULE, sql);
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  it('advises (info) that readers must handle NULL, and says the change is instant', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN note DROP NOT NULL, ALTER COLUMN total DROP NOT NULL;';
    const found = findings(sql);
    expect(found.map((finding) => textOf(sql, finding))).toEqual(['ALTER COLUMN note DROP NOT NULL', 'ALTER COLUMN total DROP NOT NULL']);
    expect(found[0]!.severity).toBe('info');
    expect(found[0]!.message).toMatch(/orders\.note hold NULL/);
    expect(found[0]!.message).toMatch(/instant/);
    expect(found[0]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE' });
  });

  it.each([
    ['table created in the file', 'CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;'],
    ['column added in the file', "ALTER TABLE orders ADD COLUMN a int NOT NULL DEFAULT 0;\nALTER TABLE orders ALTER COLUMN a DROP NOT NULL;"],
    ['DROP DEFAULT', 'ALTER TABLE orders ALTER COLUMN a DROP DEFAULT;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it('is the only rule that fires', () => {
    expect(ruleIds('ALTER TABLE orders ALTER COLUMN note DROP NOT NULL;')).toEqual([RULE]);
  });
});

it(`${RULE}: stays quiet for a column the earlier migrations left nullable (pop's change_column repeats DROP NOT NULL)`, async () => {
  const parser = await PostgresParser.load();
  // kratos 20210410175418000061 adds nid nullable; 000064 changes its type and drops NOT NULL again.
  const priorSchema = schemaAfter(buildStatements('CREATE TABLE tokens (id uuid PRIMARY KEY, code text NOT NULL);\nALTER TABLE tokens ADD COLUMN nid uuid;', parser, defaultOptions()));
  const sql = 'ALTER TABLE "tokens" ALTER COLUMN "nid" TYPE UUID, ALTER COLUMN "nid" DROP NOT NULL, ALTER COLUMN "code" DROP NOT NULL;';
  const found = findingsOf(RULE, sql, { priorSchema });
  expect(found.map((finding) => textOf(sql, finding))).toEqual(['ALTER COLUMN "code" DROP NOT NULL']);
  expect(found[0]!.message).toMatch(/tokens\.code hold NULL/);

  // hydra 20230908104443: PostgreSQL keeps a dropped primary key's columns NOT NULL, so this DROP NOT NULL changes pk.
  const clients = schemaAfter(buildStatements('CREATE TABLE hydra_client (pk uuid PRIMARY KEY, id text NOT NULL);', parser, defaultOptions()));
  const afterPrimaryKey = 'ALTER TABLE hydra_client DROP CONSTRAINT hydra_client_pkey;\nALTER TABLE hydra_client ALTER COLUMN pk DROP NOT NULL;';
  expect(findingsOf(RULE, afterPrimaryKey, { priorSchema: clients }).map((finding) => textOf(afterPrimaryKey, finding))).toEqual(['ALTER COLUMN pk DROP NOT NULL']);
});
