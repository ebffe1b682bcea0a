import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'add-column-constrained-domain';
const findings = (sql: string) => findingsOf(RULE, sql);
const POSITIVE = 'CREATE DOMAIN app.positive_int AS int CHECK (VALUE > 0);\n';
const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));

describe(RULE, () => {
  it.each([['with a DEFAULT', ' DEFAULT 1'], ['without a DEFAULT', '']])('is an error: a domain with a CHECK rewrites the table, %s', (_case, defaultClause) => {
    const sql = `${POSITIVE}ALTER TABLE orders ADD COLUMN quantity app.positive_int${defaultClause};`;
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe(`ADD COLUMN quantity app.positive_int${defaultClause}`);
    expect(finding!.message).toContain('quantity is of the domain app.positive_int, which has a CHECK: PostgreSQL checks it for every existing row by rewriting orders');
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'orders' } });
    expect(finding!.related.map((related) => textOf(sql, { ...finding!, range: related.range }))).toEqual([POSITIVE.trim().slice(0, -1)]);
  });

  it('says a NOT NULL domain without a DEFAULT fails on a table with rows', () => {
    const sql = 'CREATE DOMAIN required_int AS int NOT NULL;\nALTER TABLE orders ADD COLUMN quantity required_int;';
    const [finding] = findings(sql);
    expect(finding!.message).toContain('does not allow null values');
    expect(finding!.message).toMatch(/migration fails here/);
    expect(findings(sql.replace('required_int;', 'required_int DEFAULT 0;'))[0]!.message).toMatch(/rewriting orders/);
  });

  it('follows ALTER DOMAIN … ADD CONSTRAINT and DROP DOMAIN', () => {
    const plain = 'CREATE DOMAIN code AS text;\n';
    expect(findings(`${plain}ALTER TABLE orders ADD COLUMN c code;`)).toEqual([]);
    expect(findings(`${plain}ALTER DOMAIN code ADD CONSTRAINT code_short CHECK (length(VALUE) < 9);\nALTER TABLE orders ADD COLUMN c code;`)).toHaveLength(1);
    expect(findings(`${POSITIVE}DROP DOMAIN app.positive_int;\nCREATE DOMAIN app.positive_int AS int;\nALTER TABLE orders ADD COLUMN q app.positive_int;`)).toEqual([]);
  });

  it('knows a domain an earlier migration of the set created (no related location then)', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN quantity app.positive_int;';
    const [finding] = findingsOf(RULE, sql, { priorSchema: priorSchemaOf(POSITIVE) });
    expect(finding!.message).toContain('which has a CHECK');
    expect(finding!.related).toEqual([]);
    expect(findingsOf(RULE, sql, { priorSchema: priorSchemaOf('CREATE DOMAIN app.positive_int AS int;') })).toEqual([]);
  });

  it('stays quiet for a domain the file does not create, a table the file creates, and a domain declared later', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN quantity positive_int;')).toEqual([]);
    expect(findings(`${POSITIVE}CREATE TABLE orders (id int);\nALTER TABLE orders ADD COLUMN quantity app.positive_int;`)).toEqual([]);
    expect(findings(`ALTER TABLE orders ADD COLUMN quantity app.positive_int;\n${POSITIVE}`)).toEqual([]);
  });

  it('leaves an inline CHECK on a plain column to check-without-not-valid (a scan, not a rewrite)', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN quantity int DEFAULT 1 CHECK (quantity > 0);';
    expect(findings(sql)).toEqual([]);
    expect(lintWithoutHygiene(sql).map((finding) => finding.ruleId)).toContain('check-without-not-valid');
  });
});
