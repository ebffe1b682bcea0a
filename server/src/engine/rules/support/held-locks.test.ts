import { describe, expect, it } from 'vitest';
import { findingsOf } from '../../../../../test/helpers/lint';

// Review round 4 #29: DROP INDEX takes ACCESS EXCLUSIVE on the index's table, which the statement does not name.
describe('the locks an earlier DROP INDEX of the transaction holds', () => {
  const sql =
    'CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);\nBEGIN;\nDROP INDEX orders_note_idx;\nCREATE INDEX orders_status_idx ON orders (status);\nCOMMIT;\n';

  it("are on the index's table: a CREATE INDEX on it then builds under that ACCESS EXCLUSIVE lock, and says which line took it", () => {
    const [finding, ...others] = findingsOf('create-index-without-concurrently', sql);
    expect(others).toEqual([]);
    expect(finding!.message).toMatch(/^orders is already locked ACCESS EXCLUSIVE by line 3 of this transaction/);
  });

  it('are not on a table of another name', () => {
    const other = sql.replace('ON orders (status)', 'ON invoices (status)');
    const [finding] = findingsOf('create-index-without-concurrently', other);
    expect(finding!.message).toMatch(/^CREATE INDEX takes a SHARE lock on invoices/);
  });
});
