import { describe, expect, it } from 'vitest';
import { findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'truncate-table';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it.each([
    ['plain', 'TRUNCATE orders;', 'TRUNCATE'],
    ['TABLE keyword, ONLY, RESTART IDENTITY', 'truncate table only orders restart identity;', 'truncate table'],
  ])('flags TRUNCATE of a table in use, without a fix: %s', (_name, sql, underlined) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe(underlined);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'orders' } });
    expect(finding!.message).toMatch(/ACCESS EXCLUSIVE lock on orders \(every read and write waits\) and deletes all its rows/);
    expect(finding!.message).toMatch(/running application finds it empty/);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toBeDefined();
  });

  it('names several tables', () => {
    expect(findings('TRUNCATE orders, app.payments;')[0]!.message).toMatch(/lock on orders, app\.payments .*all their rows.*finds them empty/);
  });

  describe('CASCADE', () => {
    it('names the referencing tables the file shows, transitively, and warns about the others', () => {
      const sql = [
        'CREATE TABLE order_lines (id int, order_id int REFERENCES orders (id));',
        'ALTER TABLE shipments ADD CONSTRAINT shipments_line_fk FOREIGN KEY (line_id) REFERENCES order_lines (id);',
        'ALTER TABLE refunds ADD COLUMN order_id int REFERENCES public.orders (id);',
        'CREATE TABLE unrelated (id int REFERENCES customers (id));',
        'TRUNCATE orders CASCADE;',
      ].join('\n');
      const [finding] = findings(sql);
      expect(finding!.message).toMatch(/CASCADE also empties, under the same lock, order_lines, refunds, shipments \(foreign keys in this file\) and any other table/);
      expect(finding!.message).not.toMatch(/unrelated/);
    });

    it('says it cannot see the referencing tables when the file shows none', () => {
      expect(findings('TRUNCATE orders CASCADE;')[0]!.message).toMatch(/every table with a foreign key to it \(none is visible in this file: check the schema\)/);
    });

    it('ignores foreign keys declared after the TRUNCATE', () => {
      const sql = 'TRUNCATE orders CASCADE;\nCREATE TABLE order_lines (order_id int REFERENCES orders (id));';
      expect(findings(sql)[0]!.message).toMatch(/none is visible in this file/);
    });
  });

  describe('stays quiet on tables created in the file', () => {
    it('all of them', () => {
      expect(findings('CREATE TABLE staging (a int);\nINSERT INTO staging VALUES (1);\nTRUNCATE staging;')).toEqual([]);
      expect(findings('CREATE TABLE app.report AS SELECT 1 AS a;\nTRUNCATE report;')).toEqual([]);
    });

    it('but flags the others of the list', () => {
      const [finding] = findings('CREATE TABLE staging (a int);\nTRUNCATE staging, orders;');
      expect(finding!.message).toMatch(/lock on orders \(/);
    });
  });

  it('is the only rule that fires', () => {
    expect(lintWithoutHygiene('TRUNCATE orders CASCADE;').map((finding) => finding.ruleId)).toEqual([RULE]);
  });
});

// Review round 4 #75 (goalert 20220317153438-alert-metrics-add-closed-at.sql): the table is emptied for a NOT NULL column.
describe(`${RULE}: a TRUNCATE the rest of the transaction needs`, () => {
  const goalert =
    '-- +migrate Up\nUPDATE engine_processing_versions SET "version" = 2, state = DEFAULT WHERE type_id = \'metrics\';\n\n' +
    'TRUNCATE alert_metrics;\n\nALTER TABLE alert_metrics ADD COLUMN closed_at TIMESTAMP WITH TIME ZONE NOT NULL;\n';

  it('a NOT NULL column without a default: a warning that the table stays empty until rebuilt, without batched deletes', () => {
    const [finding, ...others] = findingsOf(RULE, goalert, { filePath: 'migrate/migrations/20220317153438-alert-metrics-add-closed-at.sql' });
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toContain('TRUNCATE empties alert_metrics, as line 6 needs: ADD COLUMN closed_at … NOT NULL without a DEFAULT only succeeds on an empty table');
    expect(finding!.message).toContain('finds the table empty until its rows are rebuilt');
    expect(finding!.message).not.toMatch(/batches/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'alert_metrics' } });
  });

  it('a refill by INSERT … SELECT: a warning that readers wait through the refill', () => {
    const sql = 'BEGIN;\nTRUNCATE report_cache;\nINSERT INTO report_cache SELECT id, sum(amount) FROM orders GROUP BY id;\nCOMMIT;\n';
    const [finding] = findings(sql);
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toContain('TRUNCATE empties report_cache for the rows line 3 inserts in the same transaction');
    expect(finding!.message).not.toMatch(/batches/);
  });

  it.each([
    ['the column has a default', 'BEGIN;\nTRUNCATE t;\nALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;\nCOMMIT;'],
    ['the column is on another table', 'BEGIN;\nTRUNCATE t;\nALTER TABLE u ADD COLUMN c int NOT NULL;\nCOMMIT;'],
    ['the refill is in another transaction', 'TRUNCATE t;\nINSERT INTO t SELECT * FROM s;'],
    ['the insert comes first', 'BEGIN;\nINSERT INTO t VALUES (1);\nTRUNCATE t;\nCOMMIT;'],
    ['CASCADE empties more tables', 'BEGIN;\nTRUNCATE t CASCADE;\nINSERT INTO t SELECT * FROM s;\nCOMMIT;'],
  ])('keeps the error when %s', (_name, sql) => {
    const [finding] = findings(sql);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/Delete only what must go/);
  });
});
