import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'attach-partition-without-check';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
const ATTACH = "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');";

describe(RULE, () => {
  it('flags an attach without a CHECK: ACCESS EXCLUSIVE on the partition for the scan, SHARE UPDATE EXCLUSIVE on the parent (PG 12+)', () => {
    const [finding, ...others] = findings(ATTACH);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(ATTACH, finding!)).toBe("ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')");
    expect(finding!.message).toContain('scans all of events_2025');
    expect(finding!.message).toContain('events itself only gets SHARE UPDATE EXCLUSIVE');
    expect(finding!.message).toMatch(/NOT VALID, VALIDATE it/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'events_2025' } });
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/partition key/);
  });

  it('before PostgreSQL 12 says the parent is locked too', () => {
    expect(findings(ATTACH, 11)[0]!.message).toMatch(/before PostgreSQL 12, events is locked ACCESS EXCLUSIVE as well/);
  });

  describe('stays quiet when the scan is skipped or harmless', () => {
    it.each([
      ['a validated CHECK added first', "ALTER TABLE events_2025 ADD CONSTRAINT b CHECK (created_at >= '2025-01-01' AND created_at < '2026-01-01');"],
      ['a NOT VALID CHECK, validated', "ALTER TABLE events_2025 ADD CONSTRAINT b CHECK (created_at >= '2025-01-01') NOT VALID;\nALTER TABLE events_2025 VALIDATE CONSTRAINT b;"],
      ['an unnamed NOT VALID CHECK, validated by its default name', "ALTER TABLE events_2025 ADD CHECK (created_at >= '2025-01-01') NOT VALID;\nALTER TABLE events_2025 VALIDATE CONSTRAINT events_2025_created_at_check;"],
      ['a partition created in the file', 'CREATE TABLE events_2025 (LIKE events INCLUDING ALL);'],
    ])('%s', (_name, before) => {
      expect(findings(`${before}\n${ATTACH}`)).toEqual([]);
    });
  });

  it('still flags a NOT VALID CHECK that is never validated, or a CHECK on another table', () => {
    expect(findings(`ALTER TABLE events_2025 ADD CONSTRAINT b CHECK (created_at >= '2025-01-01') NOT VALID;\n${ATTACH}`)).toHaveLength(1);
    expect(findings(`ALTER TABLE events_2024 ADD CONSTRAINT b CHECK (created_at >= '2024-01-01');\n${ATTACH}`)).toHaveLength(1);
  });

  it('still flags an existing table attached to a partitioned table the file creates', () => {
    expect(findings(`CREATE TABLE events (id int, created_at date) PARTITION BY RANGE (created_at);\n${ATTACH}`)).toHaveLength(1);
  });

  it('no other rule reports the attach', () => {
    expect(lint(ATTACH).map((f) => f.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE]);
  });
});

describe(`${RULE}: indexes`, () => {
  it('ignores ALTER INDEX … ATTACH PARTITION (an index of a partitioned index: no scan of rows)', () => {
    expect(findings('ALTER INDEX orders_idx ATTACH PARTITION orders_2025_idx;')).toEqual([]);
  });
});
