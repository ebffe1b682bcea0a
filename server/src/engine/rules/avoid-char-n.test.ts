import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'avoid-char-n';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it.each([
    ['char(n)', 'CREATE TABLE c (code char(2) PRIMARY KEY);', 'char(2)', 'CREATE TABLE c (code text CHECK (char_length(code) <= 2) PRIMARY KEY);'],
    ['character(n)', 'CREATE TABLE c (code CHARACTER(3));', 'CHARACTER(3)', 'CREATE TABLE c (code text CHECK (char_length(code) <= 3));'],
    ['char without a length is char(1)', 'CREATE TABLE c (flag char NOT NULL);', 'char', 'CREATE TABLE c (flag text CHECK (char_length(flag) <= 1) NOT NULL);'],
  ])('info with a fix not applied automatically: %s', (_name, sql, range, fixed) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('info');
    expect(textOf(sql, finding!)).toBe(range);
    expect(finding!.message).toContain('pads values with spaces');
    expect(finding!.fixes[0]).toMatchObject({ autoApplicable: false });
    expect(applyFix(sql, finding!.fixes[0]!)).toBe(fixed);
  });

  it('is quiet for the one-byte "char" type and for varchar', () => {
    expect(findings('CREATE TABLE c (a "char", b varchar(2), c text);')).toEqual([]);
  });

  it('has no fix on an existing table', () => {
    expect(findings('ALTER TABLE c ADD COLUMN code char(2);')[0]!.fixes).toEqual([]);
  });
});
