import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { addedConstraints, constraintHeadline, lockPhrase, notValidFix, notValidInDoBlock, validatesExistingRows } from './support/constraints';
import { holdsFewRowsOrNone } from './support/tables-with-rows';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';
const ADD_CHECK = 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_check CHECK (customer_id >= 0)';

/** Adding a CHECK constraint scans every row under ACCESS EXCLUSIVE: the table can be neither read nor written meanwhile. */
export const checkWithoutNotValid: Rule = {
  id: 'check-without-not-valid',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'A CHECK constraint added to an existing table without NOT VALID blocks all reads and writes while every row is checked.',
    why:
      '`ALTER TABLE … ADD CHECK` (also `ADD COLUMN … CHECK`) takes an ACCESS EXCLUSIVE lock on the table and keeps it ' +
      'while it scans every row to check the condition. Until the scan ends, every query on the table waits, reads ' +
      'included: minutes on a large table, with the connection pool filling up behind it.',
    example: {
      bad: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);',
      good: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;',
    },
    instead:
      'Add the constraint `NOT VALID`: new and updated rows are checked at once, the ACCESS EXCLUSIVE lock lasts only ' +
      'a moment because existing rows are not scanned. Then run `ALTER TABLE … VALIDATE CONSTRAINT` in a separate ' +
      'transaction: it scans under a SHARE UPDATE EXCLUSIVE lock, so reads and writes continue. In the same transaction ' +
      'as the ADD, the ACCESS EXCLUSIVE lock would still be held during the scan: put VALIDATE after the COMMIT, or in ' +
      'the next migration when the migration tool wraps each file in a transaction. Tables created earlier in the same ' +
      'migration are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD CHECK (…)',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, scanned to check every row',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: ADD_CHECK, relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table VALIDATE CONSTRAINT check (the safe second step, in its own transaction)',
      mode: 'SHARE UPDATE EXCLUSIVE',
      on: 'the table, scanned',
      blocks: blockedOperations('SHARE UPDATE EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: [...PROBE_TABLE_SETUP, `${ADD_CHECK} NOT VALID`], statement: 'ALTER TABLE lock_probe VALIDATE CONSTRAINT lock_probe_customer_check', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    { setup: PROBE_TABLE_SETUP, migration: `${ADD_CHECK};\n` },
    { setup: PROBE_TABLE_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD CHECK (id > 0 AND customer_id < 1000), ADD COLUMN note text CHECK (length(note) < 100);\nCOMMIT;\n' },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed' || !nodeAs(statement, 'AlterTableStmt')) return [];
    const checks = addedConstraints(statement).filter(({ constraint }) => constraint.contype === 'CONSTR_CHECK' && validatesExistingRows(constraint));
    // Only a statement that adds such a constraint is reported: the others never look at the file.
    if (checks.length === 0) return [];
    const table = statement.targets[0]!;
    if (holdsFewRowsOrNone(context, table, statement.index)) return [];
    const mode = locksOf(statement, context.options.pgVersion)[0]?.mode ?? 'ACCESS EXCLUSIVE';
    return checks.map((added) => ({
      message:
        `Adding this CHECK constraint takes ${lockPhrase(mode)} on ${displayRelation(table)} and scans every row: all reads and ` +
        `writes on it wait until the scan ends (minutes on a large table). Add it NOT VALID and run VALIDATE CONSTRAINT ` +
        `in a separate transaction, which lets reads and writes continue.`,
      range: constraintHeadline(statement, added, 'CHECK'),
      lock: { mode, relation: table, blocks: blockedOperations(mode) },
      safeAlternative: 'ADD CONSTRAINT … CHECK (…) NOT VALID (brief lock), then VALIDATE CONSTRAINT in its own transaction (reads and writes continue).',
      fixes: [notValidFix(statement, context, added, 'CHECK')],
      noFixReasonInDoBlock: notValidInDoBlock(statement, context, added),
    }));
  },
};
