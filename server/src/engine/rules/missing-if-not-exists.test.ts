import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'missing-if-not-exists';
const OUTSIDE = { transactionMode: 'never' } as const;
const findings = (sql: string, options: object = OUTSIDE) => findingsOf(RULE, sql, options);
const THEN = '\nSELECT 1;\n';

describe(RULE, () => {
  describe('a create or drop followed by more work, without a transaction: info with an automatic fix', () => {
    it.each([
      ['CREATE TABLE', 'CREATE TABLE notes (id bigint);', 'CREATE TABLE', 'CREATE TABLE IF NOT EXISTS notes (id bigint);'],
      ['CREATE UNIQUE INDEX', 'CREATE UNIQUE INDEX notes_idx ON notes (id);', 'CREATE UNIQUE INDEX', 'CREATE UNIQUE INDEX IF NOT EXISTS notes_idx ON notes (id);'],
      ['CREATE SEQUENCE', 'create sequence s;', 'create sequence', 'create sequence IF NOT EXISTS s;'],
      ['CREATE SCHEMA', 'CREATE SCHEMA app;', 'CREATE SCHEMA', 'CREATE SCHEMA IF NOT EXISTS app;'],
      ['CREATE EXTENSION', 'CREATE EXTENSION pgcrypto;', 'CREATE EXTENSION', 'CREATE EXTENSION IF NOT EXISTS pgcrypto;'],
      ['CREATE MATERIALIZED VIEW', 'CREATE MATERIALIZED VIEW v AS SELECT 1;', 'CREATE MATERIALIZED VIEW', 'CREATE MATERIALIZED VIEW IF NOT EXISTS v AS SELECT 1;'],
      ['DROP TABLE', 'DROP TABLE old_notes;', 'DROP TABLE', 'DROP TABLE IF EXISTS old_notes;'],
      ['DROP TRIGGER', 'DROP TRIGGER t ON orders;', 'DROP TRIGGER', 'DROP TRIGGER IF EXISTS t ON orders;'],
      ['ADD COLUMN', 'ALTER TABLE orders ADD COLUMN note text;', 'ADD COLUMN', 'ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;'],
      ['ADD without COLUMN', 'ALTER TABLE app.orders ADD note text;', 'ADD', 'ALTER TABLE app.orders ADD IF NOT EXISTS note text;'],
      ['DROP COLUMN', 'ALTER TABLE ONLY orders DROP COLUMN note;', 'DROP COLUMN', 'ALTER TABLE ONLY orders DROP COLUMN IF EXISTS note;'],
      ['DROP CONSTRAINT', 'ALTER TABLE orders DROP CONSTRAINT c;', 'DROP CONSTRAINT', 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS c;'],
    ])('%s', (_name, statement, range, guarded) => {
      const sql = statement + THEN;
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('info');
      expect(textOf(sql, finding!)).toBe(range);
      expect(finding!.message).toContain('in a migration that runs without a transaction');
      expect(finding!.fixes[0]).toMatchObject({ preferred: true, autoApplicable: true });
      const after = applyFix(sql, finding!.fixes[0]!);
      expect(after).toBe(guarded + THEN);
      expect(lint(after, OUTSIDE).filter((other) => other.ruleId === RULE || other.ruleId === 'syntax-error')).toEqual([]);
    });

    it('guards each subcommand of one ALTER TABLE', () => {
      const sql = `ALTER TABLE orders ADD COLUMN a text DEFAULT ',', ALTER COLUMN b SET DEFAULT 1, DROP c;${THEN}`;
      const all = findings(sql);
      expect(all.map((finding) => textOf(sql, finding))).toEqual(['ADD COLUMN', 'DROP']);
      const after = [...all].reverse().reduce((text, finding) => applyFix(text, finding.fixes[0]!), sql);
      expect(after).toBe(`ALTER TABLE orders ADD COLUMN IF NOT EXISTS a text DEFAULT ',', ALTER COLUMN b SET DEFAULT 1, DROP IF EXISTS c;${THEN}`);
    });

    it('names the unnamed index problem instead of a fix', () => {
      const [finding] = findings(`CREATE INDEX ON orders (a);${THEN}`);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toContain('give it a name');
    });
  });

  describe('quiet', () => {
    it.each([
      ['inside BEGIN … COMMIT', 'BEGIN;\nCREATE TABLE notes (id bigint);\nDROP TABLE old;\nCOMMIT;\n'],
      ['when the migration tool wraps the file', '-- migrate:up\nCREATE TABLE notes (id bigint);\nDROP TABLE old;\n', {}],
      ['when nothing says the file runs outside a transaction', 'CREATE TABLE notes (id bigint);\nDROP TABLE old;\n', {}],
      ['for the last statement', 'SELECT 1;\nCREATE TABLE notes (id bigint);\nSET lock_timeout = 0;\n'],
      ['when guarded', 'CREATE TABLE IF NOT EXISTS notes (id bigint);\nDROP TABLE IF EXISTS old;\nALTER TABLE t ADD COLUMN IF NOT EXISTS a int;\nSELECT 1;'],
      ['after a DROP … IF EXISTS of the same object', 'DROP TABLE IF EXISTS notes;\nCREATE TABLE notes (id bigint);\nSELECT 1;'],
      ['for ALTER TABLE with ADD CONSTRAINT, which no guard makes repeatable', 'ALTER TABLE t ADD COLUMN a int, ADD CONSTRAINT c CHECK (a > 0);\nSELECT 1;'],
      ['for temporary tables', 'CREATE TEMP TABLE scratch (a int);\nSELECT 1;'],
    ])('%s', (_name, sql, options?: object) => {
      expect(findings(sql, options)).toEqual([]);
    });

    // drizzle-sim 0220_early_hellion.sql: a re-run replaces the procedure before it drops it again.
    it('for a DROP of an object an earlier statement of the file creates or replaces', () => {
      const drops = 'DROP PROCEDURE backfill();\nDROP VIEW v;\nDROP TYPE app.mood;\nDROP TRIGGER t ON orders;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);\n';
      expect(findings(drops, {}).map((finding) => textOf(drops, finding))).toEqual(['DROP PROCEDURE', 'DROP VIEW', 'DROP TYPE', 'DROP TRIGGER']);
      const creates =
        'CREATE OR REPLACE PROCEDURE backfill() LANGUAGE sql AS $$ SELECT 1 $$;\nCALL backfill();\nCREATE VIEW v AS SELECT 1;\n' +
        "CREATE TYPE mood AS ENUM ('ok');\nCREATE TRIGGER t BEFORE UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION f();\n";
      expect(findings(creates + drops, {})).toEqual([]);
      // An object of another type with the same name does not count.
      const other = 'CREATE OR REPLACE FUNCTION backfill() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nDROP PROCEDURE backfill();\nSELECT 1;\n';
      expect(findings(other).map((finding) => textOf(other, finding))).toEqual(['DROP PROCEDURE']);
    });

    // atlas-gram 20260722165701_add-skill-efficacy-pipeline.sql (`-- atlas:txmode none`).
    it('in an Atlas migration, which resumes after the last statement it applied', () => {
      const sql = '-- atlas:txmode none\nCREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);\nCREATE TABLE notes (id bigint);\nCREATE UNIQUE INDEX notes_key ON notes (id);\nSELECT 1;\n';
      const atlas = { filePath: 'migrations/20260722165701_notes.sql', readSibling: (name: string) => (name === 'atlas.sum' ? 'h1:…' : undefined) };
      expect(findings(sql, atlas)).toEqual([]);
      expect(findings(sql, { filePath: 'migrations/20260722165701_notes.sql' }).map((finding) => textOf(sql, finding))).toEqual(['CREATE TABLE', 'CREATE UNIQUE INDEX']);
    });
  });

  it('knows a file runs outside a transaction when it holds a statement that cannot run in one', () => {
    const sql = 'CREATE TABLE notes (id bigint);\nCREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);\n';
    expect(findings(sql, {}).map((finding) => finding.message)).toEqual([expect.stringContaining('CREATE TABLE without IF NOT EXISTS')]);
  });

  it.each([
    ['CREATE INDEX CONCURRENTLY', 'CREATE INDEX CONCURRENTLY orders_a_idx ON orders (a);', 1],
    ['CREATE INDEX CONCURRENTLY IF NOT EXISTS', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);', 0],
    ['DROP INDEX CONCURRENTLY', 'DROP INDEX CONCURRENTLY old_idx;', 1],
  ])('leaves %s to concurrent-index-without-if-exists', (_name, statement, reportedThere) => {
    const sql = `${statement}${THEN}`;
    expect(findings(sql)).toEqual([]);
    expect(findingsOf('concurrent-index-without-if-exists', sql, OUTSIDE)).toHaveLength(reportedThere);
  });
});
