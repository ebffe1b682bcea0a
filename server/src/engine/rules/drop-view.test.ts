import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'drop-view';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error: the running code reading the view breaks', () => {
    const sql = 'DROP VIEW IF EXISTS active_customers, app.old_report CASCADE;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('DROP VIEW');
    expect(finding!.message).toContain('DROP VIEW removes active_customers, app.old_report, which the application running now may still read');
    expect(finding!.message).toMatch(/CASCADE also drops the views that depend on it/);
    expect(finding!.message).toMatch(/CREATE OR REPLACE VIEW/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'active_customers' } });
    expect(finding!.noFixReason).toMatch(/deploy/);
  });

  it('reports a materialized view too', () => {
    const sql = 'DROP MATERIALIZED VIEW monthly_totals;';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('DROP MATERIALIZED VIEW');
    expect(finding!.message).toMatch(/^DROP MATERIALIZED VIEW removes monthly_totals/);
  });

  describe('stays quiet where no running code can lose the view', () => {
    it.each([
      ['created earlier in the file', 'CREATE VIEW v AS SELECT 1 AS one;\nDROP VIEW v;', undefined],
      ['a materialized view created earlier in the file', 'CREATE MATERIALIZED VIEW v AS SELECT 1 AS one;\nDROP MATERIALIZED VIEW v;', undefined],
      ['re-created later in the file (a new definition)', 'DROP VIEW IF EXISTS v;\nCREATE VIEW v AS SELECT 2 AS two;', undefined],
      ['swapped: another view renamed to its name', 'DROP VIEW v;\nALTER VIEW v_new RENAME TO v;', undefined],
      ['a down migration', 'DROP VIEW v;', 'db/migrations/20240101_add_v.down.sql'],
      ['the down section of a dbmate file', '-- migrate:up\nCREATE VIEW v AS SELECT 1;\n-- migrate:down\nDROP VIEW v;', undefined],
    ])('%s', (_case, sql, filePath) => {
      expect(findings(sql, filePath)).toEqual([]);
    });
  });

  it('stays quiet when its DO block re-creates the view, even by EXECUTE format(…) (the block is one statement)', () => {
    const block = (create: string) =>
      `DO $$\nDECLARE definition text;\nBEGIN\n  SELECT view_definition INTO definition FROM information_schema.views WHERE table_name = 'datasets_view';\n` +
      `  DROP VIEW datasets_view;\n  ALTER TABLE datasets ALTER COLUMN name TYPE varchar;\n  ${create}\nEND\n$$;`;
    expect(findings(block("EXECUTE format('CREATE VIEW datasets_view AS %s', definition);"))).toEqual([]);
    expect(findings(block("EXECUTE format('CREATE VIEW other_view AS %s', definition);"))).toHaveLength(1);
  });

  it('does not take a table drop, or a view of the same name in another schema, for its own', () => {
    expect(findings('DROP TABLE v;')).toEqual([]);
    expect(findings('CREATE VIEW app.v AS SELECT 1;\nDROP VIEW other.v;')).toHaveLength(1);
  });
});

// Review round 6 #38 (lemmy remove_mat_views): there is no CREATE OR REPLACE MATERIALIZED VIEW.
describe('drop-view: a materialized view', () => {
  it('is not told to CREATE OR REPLACE', () => {
    const [finding] = findingsOf('drop-view', 'DROP MATERIALIZED VIEW post_aggregates_view;');
    expect(finding!.message).toContain('re-create it in this migration (PostgreSQL has no CREATE OR REPLACE MATERIALIZED VIEW)');
    expect(finding!.safeAlternative).not.toContain('CREATE OR REPLACE');
  });
});
