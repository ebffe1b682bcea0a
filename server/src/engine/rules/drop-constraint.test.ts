import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'drop-constraint';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is a warning about the locks on both tables and about what a dropped unique index breaks', () => {
    const sql = 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_customer_id_fkey;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('DROP CONSTRAINT IF EXISTS orders_customer_id_fkey');
    expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on orders (and, for a foreign key, on the table it references)');
    expect(finding!.message).toMatch(/ON CONFLICT/);
    expect(finding!.lock?.mode).toBe('ACCESS EXCLUSIVE');
  });

  describe('stays quiet for constraints no one relies on yet', () => {
    it.each([
      ['table created in the file', 'CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY);\nALTER TABLE t DROP CONSTRAINT t_pk;', undefined],
      ['named constraint added in the file', 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;\nALTER TABLE orders DROP CONSTRAINT amount_positive;', undefined],
      ['unnamed constraint added in the file, dropped by its default name', 'ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;', undefined],
      ['down migration', 'ALTER TABLE orders DROP CONSTRAINT amount_positive;', 'db/000002_amount.down.sql'],
    ])('%s', (_name, sql, filePath) => {
      expect(findings(sql, filePath)).toEqual([]);
    });
  });
});

describe(`${RULE}: replacements and dropped tables`, () => {
  it('stays quiet when the same constraint is added back (a replacement) or the table is dropped later (drop-table reports it)', () => {
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey;\nALTER TABLE t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES p ON DELETE CASCADE NOT VALID;')).toEqual([]);
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey, ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES p NOT VALID;')).toEqual([]);
    expect(findings('ALTER TABLE "T" DROP CONSTRAINT "T_a_fkey";\nDROP TABLE "T";')).toEqual([]);
  });

  it('still flags a drop when another constraint or another table is added or dropped', () => {
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey;\nALTER TABLE t ADD CONSTRAINT t_b_fkey FOREIGN KEY (b) REFERENCES p NOT VALID;')).toHaveLength(1);
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey;\nDROP TABLE u;')).toHaveLength(1);
  });

  describe('asks for a lock_timeout only when none is in force', () => {
    const drop = 'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;';
    it.each([
      ['SET before it', `SET lock_timeout = '2s';\n${drop}`],
      ['SET LOCAL earlier in its transaction', `BEGIN;\nSET LOCAL lock_timeout = '2s';\n${drop}\nCOMMIT;`],
      ["set_config('lock_timeout', …)", `SELECT set_config('lock_timeout', '2s', false);\n${drop}`],
    ])('%s: still a warning about what the drop breaks, without the timeout advice', (_name, sql) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe('DROP CONSTRAINT orders_customer_id_fkey');
      expect(finding!.message).toContain('Check nothing relies on it.');
      expect(finding!.message).not.toMatch(/lock_timeout/);
    });

    it.each([
      ['no timeout', drop],
      ['set to 0', `SET lock_timeout = 0;\n${drop}`],
      ['RESET before it', `SET lock_timeout = '2s';\nRESET lock_timeout;\n${drop}`],
    ])('%s: still asks for one', (_name, sql) => {
      expect(findings(sql)[0]!.message).toContain('set a short lock_timeout first');
    });
  });
});
