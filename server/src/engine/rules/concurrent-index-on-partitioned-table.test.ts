import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'concurrent-index-on-partitioned-table';
const findings = (sql: string) => findingsOf(RULE, sql);
const PARTITION = 'CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM (1) TO (2);\n';

describe(RULE, () => {
  it('is an error on CONCURRENTLY … ON ONLY a partitioned table, fixed by removing CONCURRENTLY', () => {
    const sql = `${PARTITION}CREATE INDEX CONCURRENTLY events_customer_idx ON ONLY events (customer_id);`;
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('CREATE INDEX CONCURRENTLY');
    expect(finding!.message).toContain('events is partitioned: PostgreSQL refuses CREATE INDEX CONCURRENTLY on it');
    const [fix] = finding!.fixes!;
    expect(fix!.autoApplicable).toBe(true);
    const fixed = applyFix(sql, fix!);
    expect(fixed).toBe(`${PARTITION}CREATE INDEX events_customer_idx ON ONLY events (customer_id);`);
    expect(findings(fixed)).toEqual([]);
    expect(lint(fixed).filter((other) => other.ruleId === 'syntax-error')).toEqual([]);
  });

  it('explains the ON ONLY + ATTACH pattern when the index would recurse into the partitions', () => {
    const sql = 'CREATE TABLE events (id int, customer_id int) PARTITION BY RANGE (id);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS events_customer_idx ON events (customer_id);';
    const [finding] = findings(sql);
    expect(finding!.fixes ?? []).toEqual([]);
    expect(finding!.noFixReason).toContain('each one');
    expect(finding!.message).toContain('ALTER INDEX … ATTACH PARTITION');
  });

  it('accepts the safe pattern: ON ONLY the parent, CONCURRENTLY per partition, ATTACH (no index error on any step)', () => {
    const sql =
      'CREATE INDEX events_customer_idx ON ONLY events (customer_id);\n' +
      'CREATE INDEX CONCURRENTLY events_2026_customer_idx ON events_2026 (customer_id);\n' +
      'ALTER INDEX events_customer_idx ATTACH PARTITION events_2026_customer_idx;\n';
    const indexRules = ['create-index-without-concurrently', RULE, 'concurrently-in-transaction'];
    expect(lint(sql).filter((finding) => indexRules.includes(finding.ruleId))).toEqual([]);
    // Without ON ONLY the parent's index is built for every partition under SHARE locks.
    expect(findingsOf('create-index-without-concurrently', sql.replace(' ON ONLY ', ' ON '))).toHaveLength(1);
  });

  it('knows partitioned tables from ATTACH and DETACH PARTITION, with schemas', () => {
    expect(findings('ALTER TABLE app.events ATTACH PARTITION app.events_2026 FOR VALUES FROM (1) TO (2);\nCREATE INDEX CONCURRENTLY i ON app.events (c);')).toHaveLength(1);
    expect(findings('ALTER TABLE events DETACH PARTITION events_2020;\nCREATE INDEX CONCURRENTLY i ON events (c);')).toHaveLength(1);
    expect(findings('ALTER TABLE app.events ATTACH PARTITION app.events_2026 FOR VALUES FROM (1) TO (2);\nCREATE INDEX CONCURRENTLY i ON other.events (c);')).toEqual([]);
  });

  it('stays quiet without CONCURRENTLY, on a partition, and when the file does not show a partitioned table', () => {
    expect(findings(`${PARTITION}CREATE INDEX i ON ONLY events (c);`)).toEqual([]);
    expect(findings(`${PARTITION}CREATE INDEX CONCURRENTLY i ON events_2026 (c);`)).toEqual([]);
    expect(findings('CREATE INDEX CONCURRENTLY i ON ONLY events (c);')).toEqual([]);
    expect(findings('CREATE TABLE events (id int);\nCREATE INDEX CONCURRENTLY i ON events (id);')).toEqual([]);
  });

  it('follows the latest CREATE or DROP of the table', () => {
    const partitioned = 'CREATE TABLE p1 PARTITION OF events FOR VALUES FROM (1) TO (2) PARTITION BY RANGE (id);\n';
    expect(findings(`${partitioned}CREATE INDEX CONCURRENTLY i ON p1 (id);`)).toHaveLength(1);
    expect(findings(`${partitioned}DROP TABLE p1;\nCREATE TABLE p1 PARTITION OF events FOR VALUES FROM (1) TO (2);\nCREATE INDEX CONCURRENTLY i ON p1 (id);`)).toEqual([]);
    expect(findings(`${PARTITION}DROP TABLE events;\nCREATE INDEX CONCURRENTLY i ON events (id);`)).toEqual([]);
  });
});
