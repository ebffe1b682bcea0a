import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'reindex-system';

describe(RULE, () => {
  it.each([['REINDEX SYSTEM;'], ['REINDEX SYSTEM app_db;'], ['REINDEX (VERBOSE) SYSTEM;']])('reports %s, with no fix to offer', (sql) => {
    const [finding, ...others] = findingsOf(RULE, sql, { pgVersion: 16 });
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toMatch(/^REINDEX.* SYSTEM$/);
    expect(finding!.message).toContain('not in a migration');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain('cannot reindex system catalogs concurrently');
  });

  it.each([['REINDEX DATABASE app_db;'], ['REINDEX TABLE pg_class;'], ['REINDEX INDEX orders_status_idx;']])('leaves %s to reindex-without-concurrently', (sql) => {
    expect(findingsOf(RULE, sql)).toEqual([]);
  });
});
