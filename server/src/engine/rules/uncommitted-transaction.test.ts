import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'uncommitted-transaction';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is a warning on a BEGIN that is never closed, fixed by a COMMIT at the end', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text; -- why\n';
    const [finding, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('BEGIN');
    expect(finding!.message).toContain('never committed');
    const [fix] = finding!.fixes!;
    expect(fix!.autoApplicable).toBe(false);
    const fixed = applyFix(sql, fix!);
    expect(fixed).toBe('BEGIN;\nALTER TABLE orders ADD COLUMN note text; -- why\nCOMMIT;\n');
    expect(findings(fixed)).toEqual([]);
    expect(lint(fixed).filter((other) => other.ruleId === 'syntax-error')).toEqual([]);
  });

  it('reports only the block that stays open', () => {
    const sql = 'BEGIN;\nSELECT 1;\nCOMMIT;\nSTART TRANSACTION;\nSELECT 2;';
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe('START TRANSACTION');
  });

  it('stays quiet for closed blocks and for a nested BEGIN (transaction-nesting reports it)', () => {
    expect(findings('BEGIN;\nSELECT 1;\nROLLBACK;')).toEqual([]);
    expect(findings('BEGIN;\nSELECT 1;\nEND;')).toEqual([]);
    expect(findings('BEGIN;\nSELECT 1;\nPREPARE TRANSACTION \'x\';')).toEqual([]);
    expect(findings('BEGIN;\nBEGIN;\nSELECT 1;\nCOMMIT;')).toEqual([]);
  });

  it('stays quiet when the migration tool commits the file\'s transaction', () => {
    expect(findings('-- migrate:up\nBEGIN;\nSELECT 1;\n')).toEqual([]);
  });
});
