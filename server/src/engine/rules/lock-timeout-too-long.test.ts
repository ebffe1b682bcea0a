import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'lock-timeout-too-long';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  describe('a long lock_timeout in force for a blocking statement: a warning on the value', () => {
    it.each([
      ['a string with a unit', "SET lock_timeout = '1min';", "'1min'", '1min'],
      ['milliseconds', 'SET lock_timeout TO 30000;', '30000', '30s'],
      ['SET LOCAL in the transaction', "SET LOCAL lock_timeout = '15s';", "'15s'", '15s'],
      ['set_config', "SELECT set_config('lock_timeout', '2h', true);", "'2h'", '2h'],
    ])('%s', (_name, set, valueText, shown) => {
      const sql = `BEGIN;\n${set}\nALTER TABLE orders ADD COLUMN a text;\nCOMMIT;\n`;
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe(valueText);
      expect(finding!.message).toContain(`lock_timeout = ${shown} lets the statement on line 3 wait up to ${shown} for ACCESS EXCLUSIVE on orders`);
      expect(finding!.message).toContain('every read and write on orders queues behind it');
      expect(finding!.related).toHaveLength(1);
      const fix = finding!.fixes[0]!;
      expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
      const after = applyFix(sql, fix);
      expect(after).toBe(sql.replace(valueText, "'2s'"));
      expect(lint(after).filter((other) => other.ruleId === RULE || other.ruleId === 'syntax-error')).toEqual([]);
    });
  });

  describe('quiet', () => {
    it.each([
      ['at the limit', "SET lock_timeout = '10s';\nALTER TABLE orders ADD COLUMN a text;"],
      ['when only non-blocking statements run under it', "SET lock_timeout = '10min';\nCREATE INDEX CONCURRENTLY i ON orders (a);\nCREATE INDEX j ON orders (b);"],
      ['when the blocking table is new', "SET lock_timeout = '10min';\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b text;"],
      ['when a shorter value replaces it first', "SET lock_timeout = '10min';\nSET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN a text;"],
      ['when SET LOCAL ends before the statement', "BEGIN;\nSET LOCAL lock_timeout = '10min';\nCOMMIT;\nALTER TABLE orders ADD COLUMN a text;"],
    ])('%s', (_name, sql) => {
      expect(findings(sql)).toEqual([]);
    });
  });

  it('names every statement it covers, and leaves the missing timeout to missing-lock-timeout', () => {
    const sql = "SET lock_timeout = '1min';\nALTER TABLE orders ADD COLUMN a text;\nTRUNCATE payments;\n";
    const [finding] = findings(sql);
    expect(finding!.message).toContain('lets the statements on lines 2 and 3 wait');
    expect(lint(sql).map((other) => other.ruleId)).not.toContain('missing-lock-timeout');
  });
});
