import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { insertAfterStatement } from './support/constraints';
import { closesAfter, openBlockBefore, transactionControlOf, wrappingRunner } from './support/transaction-control';

/** A BEGIN the file never commits: when the session ends, PostgreSQL rolls the migration back. */
export const uncommittedTransaction: Rule = {
  id: 'uncommitted-transaction',
  severity: 'warning',
  category: 'transactions',
  docs: {
    summary: 'BEGIN without a COMMIT or ROLLBACK later in the file: the transaction stays open and is rolled back when the session ends.',
    why:
      'A transaction block the file opens and never closes keeps every lock its statements took until the session ' +
      'ends — and then PostgreSQL rolls it back: the migration\'s changes are lost, while the migration tool may record ' +
      'it as applied. Run by psql, the file "succeeds" and nothing changes.',
    example: {
      bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;',
      good: 'BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;',
    },
    instead: 'End the block with `COMMIT` (the fix appends one at the end of the file), or drop the `BEGIN` when the migration tool already runs the file in a transaction.',
  },
  facts: [],
  fixChecks: [{ setup: PROBE_TABLE_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN note text;\n' }],
  check(statement, context) {
    if (transactionControlOf(statement) !== 'open' || openBlockBefore(context.statements, statement.index)) return [];
    if (closesAfter(context.statements, statement.index)) return [];
    // The tool commits its own transaction, this block's included (transaction-nesting reports the BEGIN).
    if (wrappingRunner(statement, context)) return [];
    const last = context.statements[context.statements.length - 1]!;
    return [
      {
        message:
          'This transaction is never committed: the file has no COMMIT or ROLLBACK after this BEGIN. Its locks are held until the session ' +
          'ends, and then PostgreSQL rolls it back: the migration\'s changes are lost. Add COMMIT at the end.',
        fixes: [{ title: 'Add COMMIT at the end of the file', edits: [insertAfterStatement(last, context.source, 'COMMIT')], preferred: true, autoApplicable: false }],
        safeAlternative: 'BEGIN; … COMMIT;',
      },
    ];
  },
};
