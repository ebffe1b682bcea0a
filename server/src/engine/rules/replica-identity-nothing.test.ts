import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'replica-identity-nothing';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('is a warning on the REPLICA IDENTITY NOTHING clause', () => {
    const sql = 'ALTER TABLE app.events ADD COLUMN note text, REPLICA IDENTITY NOTHING;';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('REPLICA IDENTITY NOTHING');
    expect(finding!.message).toContain('app.events gets no replica identity');
    expect(finding!.message).toContain('every UPDATE and DELETE on it fails');
  });

  it('stays quiet for the other replica identities', () => {
    for (const identity of ['DEFAULT', 'FULL', 'USING INDEX events_pkey']) expect(findings(`ALTER TABLE events REPLICA IDENTITY ${identity};`), identity).toEqual([]);
  });
});
