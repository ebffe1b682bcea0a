import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';

const RULE = 'set-not-null';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string, options = {}) => lintWithoutHygiene(sql, options).map((finding) => finding.ruleId);
const SET = 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;';
const PROVE = [
  'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null_check CHECK (customer_id IS NOT NULL) NOT VALID;',
  'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null_check;',
];
const DROP = 'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_not_null_check;';

describe(RULE, () => {
  it('flags SET NOT NULL with its lock and scan, underlining SET NOT NULL', () => {
    const [finding, ...others] = findings(SET);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/SET NOT NULL on customer_id takes an ACCESS EXCLUSIVE lock on orders and scans every row/);
    expect(finding!.lock?.blocks).toContain('SELECT');
    expect(textOf(SET, finding!)).toBe('SET NOT NULL');
    expect(ruleIds(SET)).toEqual([RULE]);
  });

  it('PostgreSQL 12–17: proves NOT NULL with a CHECK first and drops it after, as one fix', () => {
    const fixed = applyFix(SET, findings(SET)[0]!.fixes[0]!);
    expect(fixed).toBe([...PROVE, SET, DROP].join('\n'));
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('inside BEGIN … COMMIT, runs the whole sequence after COMMIT (VALIDATE must not share the ADD\'s transaction)', () => {
    const sql = `BEGIN;\nALTER TABLE orders ADD COLUMN note text;\n${SET}\nCOMMIT;\n`;
    const fixed = applyFix(sql, findings(sql)[0]!.fixes[0]!);
    expect(fixed).toBe(`BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n\n${[...PROVE, SET, DROP].join('\n')}\n`);
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('handles several columns in one statement with one fix', () => {
    const sql = 'ALTER TABLE orders ALTER COLUMN a SET NOT NULL, ALTER COLUMN b SET NOT NULL;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.message).toMatch(/SET NOT NULL on a, b/);
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe(
      [
        'ALTER TABLE orders ADD CONSTRAINT orders_a_not_null_check CHECK (a IS NOT NULL) NOT VALID;',
        'ALTER TABLE orders ADD CONSTRAINT orders_b_not_null_check CHECK (b IS NOT NULL) NOT VALID;',
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_a_not_null_check;',
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_b_not_null_check;',
        sql,
        'ALTER TABLE orders DROP CONSTRAINT orders_a_not_null_check;',
        'ALTER TABLE orders DROP CONSTRAINT orders_b_not_null_check;',
      ].join('\n'),
    );
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('PostgreSQL 18: rewrites to ADD CONSTRAINT … NOT NULL … NOT VALID + VALIDATE', () => {
    const fixed = applyFix(SET, findings(SET, { pgVersion: 18 })[0]!.fixes[0]!);
    expect(fixed).toBe('ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null NOT NULL customer_id NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;');
    expect(ruleIds(fixed, { pgVersion: 18 })).toEqual([]);
  });

  it('PostgreSQL 18: flags a validating ADD CONSTRAINT … NOT NULL and adds NOT VALID', () => {
    const sql = 'ALTER TABLE orders ADD CONSTRAINT nn NOT NULL customer_id;';
    const [finding] = findings(sql, { pgVersion: 18 });
    expect(textOf(sql, finding!)).toBe('ADD CONSTRAINT nn NOT NULL');
    expect(applyFix(sql, finding!.fixes[0]!)).toBe('ALTER TABLE orders ADD CONSTRAINT nn NOT NULL customer_id NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT nn;');
  });

  it('before PostgreSQL 12: no fix, and says why the CHECK does not help', () => {
    const [finding] = findings(`${PROVE.join('\n')}\n${SET}`, { pgVersion: 11 });
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/Before PostgreSQL 12, SET NOT NULL always scans/);
  });

  it('in a file the migration tool wraps, explains the two migrations', () => {
    const [finding] = findings(`-- migrate:up\n${SET}\n`);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/dbmate runs this whole file in one transaction.*next one/);
  });

  it.each([
    ['a CHECK NOT VALID validated earlier in the file', `${PROVE.join('\n')}\n${SET}`],
    ['a validated CHECK added earlier', `ALTER TABLE orders ADD CONSTRAINT c CHECK (customer_id IS NOT NULL);\n${SET}`],
    ['a table created in the file', `CREATE TABLE orders (customer_id int);\n${SET}`],
    ['DROP NOT NULL', 'ALTER TABLE orders ALTER COLUMN customer_id DROP NOT NULL;'],
    ['ADD COLUMN … NOT NULL DEFAULT (no scan)', "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';"],
  ])('stays quiet on PostgreSQL 12+: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it.each([
    ['the CHECK was never validated', `${PROVE[0]}\n${SET}`],
    ['the CHECK is on another column', `ALTER TABLE orders ADD CONSTRAINT c CHECK (other IS NOT NULL);\n${SET}`],
    ['the CHECK is on another table', `ALTER TABLE invoices ADD CONSTRAINT c CHECK (customer_id IS NOT NULL);\n${SET}`],
    ['the CHECK is validated only after SET NOT NULL', `${PROVE[0]}\n${SET}\n${PROVE[1]}`],
  ])('still flags when %s', (_name, sql) => {
    expect(findings(sql)).toHaveLength(1);
  });
});
