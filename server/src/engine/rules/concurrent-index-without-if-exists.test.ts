import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'concurrent-index-without-if-exists';
const findings = (sql: string, options: object = {}) => findingsOf(RULE, sql, options);
const stillFlagged = (sql: string) => lint(sql).filter((finding) => finding.ruleId === RULE || finding.ruleId === 'syntax-error');

describe(RULE, () => {
  it('reports a concurrent build without IF NOT EXISTS: a failed build leaves an INVALID index, and the re-run fails on its name', () => {
    const sql = 'CREATE INDEX CONCURRENTLY orders_status_idx ON app.orders (status);';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('CREATE INDEX CONCURRENTLY');
    expect(finding!.message).toContain('leaves an INVALID index app.orders_status_idx behind');
    expect(finding!.message).toContain('"relation app.orders_status_idx already exists"');
    expect(finding!.message).toContain('drop the leftover (DROP INDEX CONCURRENTLY IF EXISTS app.orders_status_idx)');
    const [guard, dropFirst] = finding!.fixes;
    expect(guard).toMatchObject({ title: 'Add IF NOT EXISTS', preferred: true, autoApplicable: false });
    expect(applyFix(sql, guard!)).toBe('CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON app.orders (status);');
    expect(stillFlagged(applyFix(sql, guard!))).toEqual([]);
    expect(dropFirst).toMatchObject({ preferred: false, autoApplicable: false });
    expect(applyFix(sql, dropFirst!)).toBe(`DROP INDEX CONCURRENTLY IF EXISTS app.orders_status_idx;\n${sql}`);
    expect(stillFlagged(applyFix(sql, dropFirst!))).toEqual([]);
  });

  it('Atlas (review 4, #18): the leftover is dropped by hand before `atlas migrate apply` again, not by a drop in the file, which a resumed run skips', () => {
    const sql = '-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n';
    const [finding] = findings(sql, { filePath: 'migrations/20260722220532_x.sql', readSibling: (name: string) => (name === 'atlas.sum' ? 'h1:x\n' : undefined) });
    expect(finding!.message).toContain('before running `atlas migrate apply` again after a failed build, drop the leftover by hand (DROP INDEX CONCURRENTLY IF EXISTS orders_status_idx)');
    expect(finding!.message).toContain('Atlas resumes the file at the statement that failed');
    expect(finding!.fixes.map((fix) => fix.title)).toEqual(['Add IF NOT EXISTS']);
  });

  it('reports a concurrent drop without IF EXISTS: once committed, the re-run fails on the missing index', () => {
    const sql = 'SELECT 1;\nDROP INDEX CONCURRENTLY app.orders_old_idx;\n';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('DROP INDEX CONCURRENTLY');
    expect(finding!.message).toContain('"index app.orders_old_idx does not exist"');
    expect(finding!.fixes).toHaveLength(1);
    expect(finding!.fixes[0]).toMatchObject({ preferred: true, autoApplicable: true });
    expect(applyFix(sql, finding!.fixes[0]!)).toBe('SELECT 1;\nDROP INDEX CONCURRENTLY IF EXISTS app.orders_old_idx;\n');
  });

  it.each([
    ['auto', {}],
    ['always', { transactionMode: 'always' }],
    ['never', { transactionMode: 'never' }],
  ])('reports in transaction mode %s, as the only statement of the file', (_mode, options) => {
    expect(findings('CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);', options)).toHaveLength(1);
    expect(findings('DROP INDEX CONCURRENTLY i;', options)).toHaveLength(1);
  });

  it('asks for a name on an unnamed build, which cannot take IF NOT EXISTS', () => {
    const [finding] = findings('CREATE INDEX CONCURRENTLY ON orders (status);');
    expect(finding!.message).toContain('builds a second one');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain('give it a name');
  });

  describe('quiet', () => {
    it.each([
      ['when guarded', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);\nDROP INDEX CONCURRENTLY IF EXISTS j;'],
      ['after a DROP INDEX … IF EXISTS of the same index', 'DROP INDEX CONCURRENTLY IF EXISTS app.i;\nCREATE INDEX CONCURRENTLY i ON app.t (a);'],
      ['for builds and drops that are not concurrent (other rules report their locks)', 'CREATE INDEX i ON t (a);\nDROP INDEX j;'],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });

    it('but a DROP of another index does not count', () => {
      expect(findings('DROP INDEX CONCURRENTLY IF EXISTS other_i;\nCREATE INDEX CONCURRENTLY i ON t (a);')).toHaveLength(1);
    });
  });
});
