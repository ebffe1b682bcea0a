import { describe, expect, it } from 'vitest';
import { findingsOf, lint } from '../../../../test/helpers/lint';

const BLOCK = `DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'orders_status_idx') THEN
    CREATE INDEX orders_status_idx ON orders (status);
  END IF;
  EXECUTE format('ALTER TABLE %I ADD COLUMN note text', 'orders');
END
$$;
`;

describe('statements a DO block runs are checked where they are written', () => {
  it('a CREATE INDEX inside the block is flagged on its own line, with no rewrite offered inside the block', () => {
    const [finding] = findingsOf('create-index-without-concurrently', BLOCK);
    expect(BLOCK.slice(finding!.range.start, finding!.range.end)).toBe('CREATE INDEX');
    expect(BLOCK.slice(0, finding!.range.start).split('\n').length).toBe(4);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/inside a DO block/);
  });

  it('a DO block is one transaction even in autocommit: its statements see each other\'s locks', () => {
    const source = "DO $$\nBEGIN\n  ALTER TABLE orders ADD COLUMN note text;\n  ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nEND\n$$;\n";
    const held = findingsOf('lock-held-across-slow-statement', source);
    expect(held).toHaveLength(1);
    expect(source.slice(0, held[0]!.range.start).split('\n').length).toBe(4);
  });

  it('a function body is not run by the migration: nothing inside it is checked', () => {
    const source = 'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  CREATE INDEX orders_status_idx ON orders (status);\nEND\n$$;\n';
    expect(findingsOf('create-index-without-concurrently', source)).toEqual([]);
  });

  it('a suppression above the DO statement covers what the block runs', () => {
    const source = '-- lockguard-ignore create-index-without-concurrently: orders has 40 rows\n' + BLOCK;
    expect(lint(source).filter((finding) => finding.ruleId === 'create-index-without-concurrently' || finding.ruleId === 'unused-suppression')).toEqual([]);
  });
});
