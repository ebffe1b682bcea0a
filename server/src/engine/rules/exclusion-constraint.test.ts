import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'exclusion-constraint';
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);
const ADD_EXCLUDE = 'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);';

describe(RULE, () => {
  it('flags ADD EXCLUDE on an existing table, explaining that no rewrite exists', () => {
    const [finding, ...others] = findingsOf(RULE, ADD_EXCLUDE);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock: all reads and writes wait .* no NOT VALID or concurrent form/);
    expect(finding!.lock?.blocks).toContain('SELECT');
    expect(textOf(ADD_EXCLUDE, finding!)).toBe('ADD CONSTRAINT no_overlap EXCLUDE');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/no NOT VALID, USING INDEX or concurrent form/);
    expect(ruleIds(ADD_EXCLUDE)).toEqual([RULE]);
  });

  it.each([
    ['table created earlier in the file', `CREATE TABLE bookings (room int, during tstzrange);\n${ADD_EXCLUDE}`],
    ['CREATE TABLE with EXCLUDE', 'CREATE TABLE bookings (room int, EXCLUDE USING gist (room WITH =));'],
    ['other constraints', 'ALTER TABLE bookings ADD CONSTRAINT c CHECK (room > 0) NOT VALID;'],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findingsOf(RULE, sql)).toEqual([]);
  });
});
