import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'transaction-nesting';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is a warning on a BEGIN inside an open block, pointing at the outer BEGIN', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nBEGIN;\nALTER TABLE invoices ADD COLUMN note text;\nCOMMIT;\nCOMMIT;';
    const reported = findings(sql);
    expect(reported.map((finding) => textOf(sql, finding))).toEqual(['BEGIN', 'COMMIT']);
    const [nested, extraCommit] = reported;
    expect(nested!.severity).toBe('warning');
    expect(nested!.message).toContain('BEGIN inside the transaction opened on line 1');
    expect(nested!.related?.[0]?.range.start).toBe(0);
    expect(extraCommit!.message).toContain('COMMIT with no transaction open');
  });

  it('stays quiet for consecutive blocks, savepoints and COMMIT AND CHAIN', () => {
    expect(findings('BEGIN;\nSELECT 1;\nCOMMIT;\nSTART TRANSACTION;\nSAVEPOINT a;\nSELECT 2;\nRELEASE a;\nEND;')).toEqual([]);
    expect(findings('BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;')).toEqual([]);
    expect(findings('SELECT 1;')).toEqual([]);
  });

  it('reports ROLLBACK with no transaction open, unless a syntax error before it may have cut the file wrongly', () => {
    expect(findings('SELECT 1;\nROLLBACK;')[0]!.message).toContain('ROLLBACK with no transaction open');
    expect(findings('CREATE FUNCTION f() RETURNS void LANGUAGE sql BEGIN ATOMIK SELECT 1;\nEND;')).toEqual([]);
  });

  it('reports BEGIN and COMMIT in a file the migration tool wraps in a transaction', () => {
    const sql = '-- migrate:up\nBEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n';
    const [begin, ...rest] = findings(sql);
    expect(rest).toEqual([]);
    expect(textOf(sql, begin!)).toBe('BEGIN');
    expect(begin!.message).toContain("dbmate already runs this file in a transaction");
    const commitOnly = '-- migrate:up\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nALTER TABLE orders ADD COLUMN other text;\n';
    expect(findings(commitOnly)[0]!.message).toContain('COMMIT ends the transaction dbmate runs this file in, early');
  });

  it('stays quiet for the file\'s own block when the tool sends the file as one query, or with transaction:false', () => {
    const sql = 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ADD COLUMN other text;\nCOMMIT;\n';
    expect(findings(sql, 'db/migrations/000012_note.up.sql')).toEqual([]);
    expect(findings(sql, 'prisma/migrations/20240101000000_note/migration.sql')).toEqual([]);
    expect(findings(`-- migrate:up transaction:false\n${sql}`)).toEqual([]);
  });

  it('is not reported together with uncommitted-transaction', () => {
    const ids = lint('BEGIN;\nBEGIN;\nSELECT 1;').map((finding) => finding.ruleId);
    expect(ids.filter((id) => id === RULE)).toHaveLength(1);
    expect(ids.filter((id) => id === 'uncommitted-transaction')).toHaveLength(1);
  });
});
