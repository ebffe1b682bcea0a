import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';
import { VERSION_GATED_FORMS } from './support/version-gated-forms';

const RULE = 'unsupported-on-target-version';
const findings = (sql: string, pgVersion: number) => findingsOf(RULE, sql, { pgVersion });
const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));

describe(RULE, () => {
  it('is an error naming the release that accepts the form and the configured target', () => {
    const sql = 'ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;';
    const [finding, ...others] = findings(sql, 13);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('CONCURRENTLY');
    expect(finding!.message).toContain('DETACH PARTITION … CONCURRENTLY needs PostgreSQL 14 or later, and this migration targets PostgreSQL 13');
    expect(finding!.message).toContain('SQLSTATE 42601');
    expect(findings(sql, 14)).toEqual([]);
  });

  it('reports MERGE and its PostgreSQL 17 clauses each at its own place', () => {
    const sql = 'MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE RETURNING t.id;';
    expect(findings(sql, 14).map((finding) => textOf(sql, finding))).toEqual(['MERGE', 'SOURCE', 'RETURNING']);
    expect(findings(sql, 16).map((finding) => textOf(sql, finding))).toEqual(['SOURCE', 'RETURNING']);
    expect(findings(sql, 17)).toEqual([]);
  });

  it('reports the PostgreSQL 18 constraint forms on PostgreSQL 17', () => {
    const cases: [string, string][] = [
      ['ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;', 'CONSTRAINT users_email_nn NOT NULL email NOT VALID'],
      ['ALTER TABLE users ADD CONSTRAINT users_age CHECK (age > 0) NOT ENFORCED;', 'ENFORCED'],
      ['CREATE TABLE t (id int, twice int GENERATED ALWAYS AS (id * 2) VIRTUAL);', 'GENERATED ALWAYS AS (id * 2) VIRTUAL'],
    ];
    for (const [sql, reported] of cases) {
      expect(findings(sql, 17).map((finding) => textOf(sql, finding)), sql).toEqual([reported]);
      expect(findings(sql, 18), sql).toEqual([]);
    }
  });

  it('reports a key of a partitioned table without its partition key on every version, and keeps quiet when it includes it', () => {
    const bad = 'CREATE TABLE events (id bigint PRIMARY KEY, at date) PARTITION BY RANGE (at);';
    const [finding] = findings(bad, 18);
    expect(textOf(bad, finding!)).toBe('PRIMARY KEY');
    expect(finding!.message).toMatch(/^No PostgreSQL version accepts/);
    expect(findings('CREATE TABLE events (id bigint, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);', 18)).toEqual([]);
    const index = 'CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\nCREATE UNIQUE INDEX events_id ON events (id);';
    expect(findings(index, 18)).toHaveLength(1);
    // Without the CREATE TABLE the partition key is unknown: nothing is guessed.
    expect(findings('CREATE UNIQUE INDEX events_id ON events (id);', 18)).toEqual([]);
  });

  it('knows a NOT VALID foreign key on a partitioned table only from PostgreSQL 18', () => {
    const sql = 'CREATE TABLE m (id int, at date, user_id int) PARTITION BY RANGE (at);\nALTER TABLE m ADD CONSTRAINT m_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;';
    expect(findings(sql, 17)).toHaveLength(1);
    expect(findings(sql, 18)).toEqual([]);
    // On a table the file does not show partitioned, NOT VALID is the safe pattern.
    expect(findings('ALTER TABLE m ADD CONSTRAINT m_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;', 15)).toEqual([]);
  });

  it('knows a table partitioned, or a function defined, by an earlier migration of the set', () => {
    const fk = 'ALTER TABLE m ADD CONSTRAINT m_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;';
    const partitioned = priorSchemaOf('CREATE TABLE m (id int, at date, user_id int) PARTITION BY RANGE (at);');
    expect(findingsOf(RULE, fk, { pgVersion: 17, priorSchema: partitioned })).toHaveLength(1);
    expect(findingsOf(RULE, fk, { pgVersion: 17, priorSchema: priorSchemaOf('CREATE TABLE m (id int, at date, user_id int);') })).toEqual([]);
    const uuid = priorSchemaOf("CREATE FUNCTION uuidv7() RETURNS uuid LANGUAGE sql AS 'SELECT gen_random_uuid()';");
    expect(findingsOf(RULE, 'ALTER TABLE t ADD COLUMN public_id uuid DEFAULT uuidv7();', { pgVersion: 17, priorSchema: uuid })).toEqual([]);
  });

  it('warns about uuidv7() before PostgreSQL 18, unless the file defines it', () => {
    const sql = 'ALTER TABLE t ADD COLUMN public_id uuid DEFAULT uuidv7();';
    const [finding] = findings(sql, 17);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('uuidv7');
    const defined = "CREATE FUNCTION uuidv7() RETURNS uuid LANGUAGE sql AS 'SELECT gen_random_uuid()';\n" + sql;
    expect(findings(defined, 17)).toEqual([]);
  });

  // The probe of every fact is a statement of that form: the rule must find it where it fails, and not where it is accepted.
  describe.each(VERSION_GATED_FORMS.map((form) => [form.name, form] as const))('%s', (_name, form) => {
    const file = [...form.fact.probe.setup, form.fact.probe.statement].map((statement) => `${statement};`).join('\n');
    const lastStatement = file.lastIndexOf(form.fact.probe.statement);
    const onProbe = (pgVersion: number) => findings(file, pgVersion).filter((finding) => finding.range.start >= lastStatement);

    it('is reported on the newest release that rejects it', () => {
      const rejecting = form.acceptedFrom === undefined ? 18 : form.acceptedFrom - 1;
      expect(onProbe(rejecting)).toHaveLength(1);
    });

    it.skipIf(form.acceptedFrom === undefined)('is not reported on the release that accepts it', () => {
      expect(onProbe(form.acceptedFrom!)).toEqual([]);
    });
  });
});
