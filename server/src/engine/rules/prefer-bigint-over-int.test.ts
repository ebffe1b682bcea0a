import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'prefer-bigint-over-int';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it.each([
    ['an inline primary key', 'CREATE TABLE t (id integer PRIMARY KEY);', 'integer', 'integer', 'CREATE TABLE t (id bigint PRIMARY KEY);'],
    ['a table-level primary key', 'CREATE TABLE t (code int, PRIMARY KEY (code));', 'int', 'integer', 'CREATE TABLE t (code bigint, PRIMARY KEY (code));'],
    ['an id column', 'CREATE TABLE t (ID int4 NOT NULL);', 'int4', 'integer', 'CREATE TABLE t (ID bigint NOT NULL);'],
    ['a smallint key', 'CREATE TABLE t (code smallint PRIMARY KEY);', 'smallint', 'smallint', 'CREATE TABLE t (code bigint PRIMARY KEY);'],
  ])('%s', (_name, sql, range, written, fixed) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('info');
    expect(textOf(sql, finding!)).toBe(range);
    expect(finding!.message).toContain(`is a key typed ${written}`);
    expect(finding!.fixes[0]).toMatchObject({ title: 'Use bigint', autoApplicable: true });
    const after = applyFix(sql, finding!.fixes[0]!);
    expect(after).toBe(fixed);
    expect(lint(after).filter((other) => other.ruleId === RULE || other.ruleId === 'syntax-error')).toEqual([]);
  });

  it('offers but does not auto-apply the fix on an existing table', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN id int;')[0]!.fixes[0]).toMatchObject({ autoApplicable: false });
    expect(findings('ALTER TABLE orders ALTER COLUMN id TYPE integer;')[0]!.fixes[0]).toMatchObject({ autoApplicable: false });
  });

  it.each([
    ['other integer columns', 'CREATE TABLE t (id bigint PRIMARY KEY, quantity int, rank smallint);'],
    ['foreign keys, which follow their referenced key', 'CREATE TABLE t (language_id int REFERENCES language (id), owner int, FOREIGN KEY (owner) REFERENCES users);'],
    ['bigint keys', 'CREATE TABLE t (id int8 PRIMARY KEY, user_id bigint);'],
    ['serial (left to prefer-identity-over-serial)', 'CREATE TABLE t (id serial PRIMARY KEY);'],
  ])('quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });
});

describe('a key that references another table', () => {
  it.each([
    ['inline REFERENCES', 'CREATE TABLE readme_renderings (version_id integer NOT NULL PRIMARY KEY REFERENCES versions (id));'],
    ['table-level FOREIGN KEY', 'CREATE TABLE readme_renderings (version_id integer PRIMARY KEY, FOREIGN KEY (version_id) REFERENCES versions (id));'],
  ])('%s follows the key it references (crates.io readme_rendering_tracking)', (_name, source) => {
    expect(findingsOf('prefer-bigint-over-int', source)).toEqual([]);
  });
});
