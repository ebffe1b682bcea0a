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

// Review round 4 #45 (pkgsite 000079_change_package_symbol_unique.up.sql): a DROP INDEX of a long name an earlier migration chose.
describe(`${RULE}: only names the migration gives`, () => {
  it('stays quiet for a long name that refers to an object made earlier: PostgreSQL cuts it the same way and finds the object', () => {
    expect(findings(`DROP INDEX ${LONG};`)).toEqual([]);
    expect(findings(`ALTER INDEX ${LONG} RENAME TO orders_customer_idx;`)).toEqual([]);
    expect(findings(`ALTER TABLE orders DROP CONSTRAINT ${LONG};`)).toEqual([]);
    expect(findings(`CREATE INDEX orders_customer_idx ON ${LONG} (customer_id);`)).toEqual([]);
  });

  it.each([
    ['ADD CONSTRAINT', `ALTER TABLE orders ADD CONSTRAINT ${LONG} CHECK (amount > 0);`],
    ['RENAME TO', `ALTER INDEX orders_customer_idx RENAME TO ${LONG};`],
    ['ADD COLUMN', `ALTER TABLE orders ADD COLUMN ${LONG} int;`],
    ['a column of CREATE TABLE', `CREATE TABLE orders (${LONG} int);`],
    ['a view column', `CREATE VIEW order_totals AS SELECT sum(amount) AS ${LONG} FROM orders;`],
    ['a table in CREATE SCHEMA', `CREATE SCHEMA sales CREATE TABLE ${LONG} (id int);`],
  ])('reports a name the migration gives: %s', (_name, sql) => {
    expect(findings(sql).map((finding) => textOf(sql, finding))).toEqual([LONG]);
  });

  it('reports it where the file names the object, and shortens the references before it too', () => {
    const sql = `DROP INDEX IF EXISTS ${LONG};\nCREATE INDEX ${LONG} ON orders (customer_id);`;
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.range.start).toBe(sql.indexOf('\n') + 'CREATE INDEX '.length + 1);
    expect(applyFix(sql, finding!.fixes![0]!)).toBe(`DROP INDEX IF EXISTS ${KEPT};\nCREATE INDEX ${KEPT} ON orders (customer_id);`);
  });
});
