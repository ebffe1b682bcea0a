import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'enable-disable-trigger';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it.each([
    ['DISABLE TRIGGER t', 'ALTER TABLE orders DISABLE TRIGGER orders_audit;', 'DISABLE TRIGGER orders_audit', /writes skip the trigger/],
    ['ENABLE ALWAYS TRIGGER t', 'ALTER TABLE orders ENABLE ALWAYS TRIGGER orders_audit;', 'ENABLE ALWAYS TRIGGER orders_audit', /^ENABLE TRIGGER/],
    ['ENABLE TRIGGER USER', 'ALTER TABLE orders ENABLE TRIGGER USER;', 'ENABLE TRIGGER USER', /^ENABLE TRIGGER/],
  ])('%s: a warning about the SHARE ROW EXCLUSIVE lock, underlining the subcommand', (_name, sql, underlined, message) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe(underlined);
    expect(finding!.message).toMatch(message);
    expect(finding!.message).toContain('SHARE ROW EXCLUSIVE lock on orders');
    expect(finding!.lock?.mode).toBe('SHARE ROW EXCLUSIVE');
  });

  it('says that DISABLE TRIGGER ALL also stops enforcing foreign keys', () => {
    const sql = 'ALTER TABLE orders ADD COLUMN note text, DISABLE TRIGGER ALL;';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('DISABLE TRIGGER ALL');
    expect(finding!.message).toMatch(/foreign keys/);
    expect(findings('ALTER TABLE orders DISABLE TRIGGER USER;')[0]!.message).not.toMatch(/foreign keys/);
  });

  it('stays quiet on tables created in the file and on other subcommands', () => {
    expect(findings('CREATE TABLE orders (id int);\nALTER TABLE orders DISABLE TRIGGER ALL;')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN note text;')).toEqual([]);
  });

  it('reports a disable / backfill / enable transaction once per toggle, and no other rule repeats it', () => {
    const sql = 'ALTER TABLE orders DISABLE TRIGGER t;\nALTER TABLE orders ENABLE TRIGGER t;';
    expect(lint(sql).map((finding) => finding.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE, RULE]);
  });
});

describe('enable-disable-trigger advice', () => {
  it('does not ask for a lock_timeout the file already set', () => {
    const [finding] = findingsOf('enable-disable-trigger', "SET lock_timeout = '2s';\nALTER TABLE orders DISABLE TRIGGER orders_audit;");
    expect(finding!.message).not.toMatch(/Set a short lock_timeout/);
    expect(finding!.message).toMatch(/Commit right after it/);
  });
});

describe('enable-disable-trigger inside a transaction that already holds the lock', () => {
  // lemmy 2025-08-01-000019 and -000041 (diesel: one transaction): ALTER TABLE … ADD COLUMN, DISABLE TRIGGER ALL, backfill, ENABLE TRIGGER ALL.
  const sql =
    'BEGIN;\nALTER TABLE post ADD COLUMN score int NOT NULL DEFAULT 0;\nALTER TABLE post DISABLE TRIGGER ALL;\n' +
    'UPDATE post SET score = 1 WHERE id = 7;\nALTER TABLE post ENABLE TRIGGER ALL;\nCOMMIT;';

  it('stays quiet: the ADD COLUMN took ACCESS EXCLUSIVE first, so neither toggle waits or blocks anyone new', () => {
    expect(findings(sql)).toEqual([]);
  });

  it('reports the first toggle only, and does not claim writes skip a trigger re-enabled before COMMIT', () => {
    const toggles = 'BEGIN;\nALTER TABLE post DISABLE TRIGGER ALL;\nUPDATE post SET score = 1 WHERE id = 7;\nALTER TABLE post ENABLE TRIGGER ALL;\nCOMMIT;';
    const [finding, ...others] = findings(toggles);
    expect(others).toEqual([]);
    expect(textOf(toggles, finding!)).toBe('DISABLE TRIGGER ALL');
    expect(finding!.message).toMatch(/^DISABLE TRIGGER takes a SHARE ROW EXCLUSIVE lock on post/);
    expect(finding!.message).not.toMatch(/skip the trigger|foreign keys/);
    // Review round 5 #39/#40 (lemmy): committing between DISABLE and ENABLE would let writes skip the triggers.
    expect(finding!.message).toMatch(/Keep what runs before the ENABLE short, and commit right after it/);
    expect(finding!.message).not.toMatch(/commit right after it\.$|Commit right after it:/);
  });

  it('says that writes wait, not reads: SHARE ROW EXCLUSIVE does not conflict with ACCESS SHARE', () => {
    const [finding] = findings('ALTER TABLE orders DISABLE TRIGGER orders_audit;');
    expect(finding!.message).toContain('new writes queue behind it (plain reads go on)');
    expect(finding!.message).not.toContain('any query');
  });

  it('still says writes skip the trigger when it stays disabled past the COMMIT', () => {
    const [finding] = findings('BEGIN;\nALTER TABLE post DISABLE TRIGGER ALL;\nCOMMIT;\nALTER TABLE post ENABLE TRIGGER ALL;');
    expect(finding!.message).toMatch(/writes skip the trigger too, and ALL includes the triggers that enforce foreign keys/);
  });
});
