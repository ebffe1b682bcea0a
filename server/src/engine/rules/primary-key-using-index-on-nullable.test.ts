import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'primary-key-using-index-on-nullable';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);
const ADD_UID = 'ALTER TABLE orders ADD COLUMN uid uuid;';
const INDEX = 'CREATE UNIQUE INDEX CONCURRENTLY orders_uid_idx ON orders (uid);';
const ADD_PK = 'ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_uid_idx;';
const lines = (...statements: string[]) => statements.join('\n');
const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));

describe(RULE, () => {
  it('flags PRIMARY KEY USING INDEX on a column this file adds as nullable, and proves NOT NULL first', () => {
    const sql = lines(ADD_UID, INDEX, ADD_PK);
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/must set uid NOT NULL, and this file adds uid as nullable: PostgreSQL scans every row of orders .* ACCESS EXCLUSIVE/);
    expect(textOf(sql, finding!)).toBe('ADD CONSTRAINT orders_pkey PRIMARY KEY');
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe(
      lines(
        ADD_UID,
        INDEX,
        'ALTER TABLE orders ADD CONSTRAINT orders_uid_not_null_check CHECK (uid IS NOT NULL) NOT VALID;',
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_uid_not_null_check;',
        'ALTER TABLE orders ALTER COLUMN uid SET NOT NULL;',
        ADD_PK,
        'ALTER TABLE orders DROP CONSTRAINT orders_uid_not_null_check;',
      ),
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('flags after DROP NOT NULL too; in a transaction block it explains instead of fixing', () => {
    const sql = lines('BEGIN;', 'ALTER TABLE orders ALTER COLUMN uid DROP NOT NULL;', 'CREATE UNIQUE INDEX orders_uid_idx ON orders (uid);', ADD_PK, 'COMMIT;');
    const [finding] = findings(sql);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/VALIDATE CONSTRAINT must run outside the transaction/);
  });

  it('before PostgreSQL 12 says no scan-free way exists', () => {
    const [finding] = findings(lines(ADD_UID, INDEX, ADD_PK), { pgVersion: 11 });
    expect(finding!.message).toMatch(/Before PostgreSQL 12/);
    expect(finding!.fixes).toEqual([]);
  });

  it.each([
    ['the column predates the file (nullability unknown)', lines(INDEX, ADD_PK)],
    ['the index predates the file', lines(ADD_UID, ADD_PK)],
    ['the column is added NOT NULL', lines('ALTER TABLE orders ADD COLUMN uid uuid NOT NULL DEFAULT gen_random_uuid();', INDEX, ADD_PK)],
    ['SET NOT NULL ran before', lines(ADD_UID, 'ALTER TABLE orders ALTER COLUMN uid SET NOT NULL;', INDEX, ADD_PK)],
    [
      'a validated CHECK proves it',
      lines(ADD_UID, INDEX, 'ALTER TABLE orders ADD CONSTRAINT c CHECK (uid IS NOT NULL) NOT VALID;', 'ALTER TABLE orders VALIDATE CONSTRAINT c;', ADD_PK),
    ],
    ['the table is created in the file', lines('CREATE TABLE orders (id int);', ADD_UID, INDEX, ADD_PK)],
    ['the index belongs to another table', lines(ADD_UID, 'CREATE UNIQUE INDEX orders_uid_idx ON invoices (uid);', ADD_PK)],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  describe('knows the column from the earlier migrations of the set (the schema catalogue)', () => {
    it('fires when an earlier migration created the column without NOT NULL', () => {
      const priorSchema = priorSchemaOf('CREATE TABLE orders (id int, uid uuid);');
      const [finding] = findings(lines(INDEX, ADD_PK), { priorSchema });
      expect(finding!.severity).toBe('error');
      expect(finding!.message).toMatch(/must set uid NOT NULL/);
    });

    it('fires on an index an earlier migration created', () => {
      const priorSchema = priorSchemaOf(`CREATE TABLE orders (id int, uid uuid);\n${INDEX.replace(' CONCURRENTLY', '')}`);
      expect(findings(ADD_PK, { priorSchema })).toHaveLength(1);
    });

    it.each([
      ['declared NOT NULL', 'CREATE TABLE orders (id int, uid uuid NOT NULL);'],
      ['set NOT NULL later', 'CREATE TABLE orders (id int, uid uuid);\nALTER TABLE orders ALTER COLUMN uid SET NOT NULL;'],
    ])('stays quiet when the column was %s', (_case, earlier) => {
      expect(findings(lines(INDEX, ADD_PK), { priorSchema: priorSchemaOf(earlier) })).toEqual([]);
    });
  });
});
