import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'disable-autovacuum';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('is a warning on the option, naming the table', () => {
    const sql = 'ALTER TABLE app.events SET (fillfactor = 70, autovacuum_enabled = false);';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('autovacuum_enabled = false');
    expect(finding!.message).toContain('Autovacuum is turned off for app.events');
    expect(finding!.fixes ?? []).toEqual([]);
  });

  it('knows the spellings of false, the TOAST table and CREATE TABLE … WITH', () => {
    for (const value of ['off', "'no'", '0', 'FALSE', 'f']) expect(findings(`ALTER TABLE t SET (autovacuum_enabled = ${value});`), value).toHaveLength(1);
    const toast = 'ALTER TABLE t SET (toast.autovacuum_enabled = off);';
    expect(textOf(toast, findings(toast)[0]!)).toBe('toast.autovacuum_enabled = off');
    expect(findings('CREATE TABLE t (id int) WITH (autovacuum_enabled = false);')).toHaveLength(1);
  });

  it('stays quiet for true values and other options', () => {
    for (const option of ['autovacuum_enabled', 'autovacuum_enabled = on', 'autovacuum_enabled = 1', 'autovacuum_vacuum_scale_factor = 0.01']) {
      expect(findings(`ALTER TABLE t SET (${option});`), option).toEqual([]);
    }
    expect(findings('ALTER TABLE t RESET (autovacuum_enabled);')).toEqual([]);
  });

  it('stays quiet when the migration turns it on again (a bulk load)', () => {
    const off = 'ALTER TABLE t SET (autovacuum_enabled = false);\nINSERT INTO t SELECT * FROM staging;\n';
    expect(findings(`${off}ALTER TABLE t SET (autovacuum_enabled = true);`)).toEqual([]);
    expect(findings(`${off}ALTER TABLE t RESET (autovacuum_enabled);`)).toEqual([]);
    expect(findings(`${off}ALTER TABLE other RESET (autovacuum_enabled);`)).toHaveLength(1);
  });

  it('stays quiet for temporary tables and tables the migration drops again', () => {
    expect(findings('CREATE TEMP TABLE scratch (id int) WITH (autovacuum_enabled = false);')).toEqual([]);
    expect(findings('CREATE TABLE scratch (id int) WITH (autovacuum_enabled = false);\nDROP TABLE scratch;')).toEqual([]);
    expect(findings('CREATE TABLE scratch (id int) WITH (autovacuum_enabled = false);\nDROP TABLE other;')).toHaveLength(1);
  });
});
