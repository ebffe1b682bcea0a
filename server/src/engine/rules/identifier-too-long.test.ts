import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'identifier-too-long';
const findings = (sql: string) => findingsOf(RULE, sql);
const LONG = `orders_${'customer_'.repeat(7)}idx`; // 7 + 63 + 3 = 73 bytes
const KEPT = LONG.slice(0, 63);

describe(RULE, () => {
  it('is info at the first occurrence, fixed by cutting every occurrence to 63 bytes', () => {
    const sql = `CREATE INDEX ${LONG} ON orders (customer_id);\nALTER INDEX ${LONG.toUpperCase()} RENAME TO orders_customer_idx;`;
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('info');
    expect(textOf(sql, finding!)).toBe(LONG);
    expect(finding!.message).toContain(`"${LONG}" is 73 bytes long: PostgreSQL keeps only 63 and names it "${KEPT}"`);
    const [fix] = finding!.fixes!;
    expect(fix!.autoApplicable).toBe(true);
    const fixed = applyFix(sql, fix!);
    expect(fixed).toBe(`CREATE INDEX ${KEPT} ON orders (customer_id);\nALTER INDEX ${KEPT.toUpperCase()} RENAME TO orders_customer_idx;`);
    expect(findings(fixed)).toEqual([]);
    expect(lint(fixed).filter((other) => other.ruleId === 'syntax-error')).toEqual([]);
  });

  it('measures quoted names in bytes and cuts them at a character boundary', () => {
    const name = `Ünïcödé ${'é'.repeat(28)}`; // 12 bytes, then 56
    const sql = `CREATE TABLE "${name}" (id int);`;
    const [finding] = findings(sql);
    expect(finding!.message).toContain('is 68 bytes long');
    const fixed = applyFix(sql, finding!.fixes![0]!);
    const kept = fixed.slice('CREATE TABLE "'.length, fixed.indexOf('" ('));
    expect(new TextEncoder().encode(kept).length).toBe(62);
    expect(findings(fixed)).toEqual([]);
  });

  it('keeps doubled quotes inside quoted names', () => {
    const sql = `CREATE TABLE "a""${'b'.repeat(70)}" (id int);`;
    const fixed = applyFix(sql, findings(sql)[0]!.fixes![0]!);
    expect(fixed).toBe(`CREATE TABLE "a""${'b'.repeat(61)}" (id int);`);
  });

  it('stays quiet for names of 63 bytes, string literals and function bodies', () => {
    expect(findings(`CREATE TABLE ${'t'.repeat(63)} (id int);`)).toEqual([]);
    expect(findings(`SELECT '${'x'.repeat(100)}';`)).toEqual([]);
    expect(findings(`CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 AS ${'x'.repeat(70)} $$;`)).toEqual([]);
  });
});
