import { blockedOperations, type LockMode } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation, relationFromRangeVar, sameRelation, type RelationName } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_PARENT_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { addedColumns, generatedConstraint, isIdentity, isSerial, type AddedColumn } from './support/added-columns';
import { addedConstraints, constraintHeadline, lockPhrase, notValidFix, notValidInDoBlock, validatesExistingRows } from './support/constraints';
import { heldEarlierInTransaction } from './support/held-locks';
import { lineOf } from './support/lines';
import { holdsFewRowsOrNone } from './support/tables-with-rows';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';

const ADD_FOREIGN_KEY = 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_fk FOREIGN KEY (customer_id) REFERENCES lock_probe_parent (id)';

/**
 * Adding a foreign key checks every existing row while it holds SHARE ROW EXCLUSIVE on both tables:
 * writes to the referencing and the referenced table wait for the whole scan.
 */
export const foreignKeyWithoutNotValid: Rule = {
  id: 'foreign-key-without-not-valid',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'A foreign key added to an existing table without NOT VALID blocks writes on both tables while every row is checked.',
    why:
      '`ALTER TABLE … ADD FOREIGN KEY` takes a SHARE ROW EXCLUSIVE lock on the table and on the table it references, ' +
      'then scans the table to check that every row has its parent. Until the scan ends, every INSERT, UPDATE and ' +
      'DELETE on both tables waits: minutes on a large table, with the connection pool filling up behind it. Reads ' +
      'continue. `ADD COLUMN … REFERENCES` scans too when the new column gets a value in existing rows (a DEFAULT, even ' +
      '`DEFAULT NULL`, or a serial, identity or generated column), and then under ADD COLUMN\'s ACCESS EXCLUSIVE lock: ' +
      'reads wait as well. A new column without a default is NULL everywhere, and PostgreSQL skips the check: not reported.',
    example: {
      bad: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
      good:
        'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n' +
        'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
    },
    instead:
      'Add the constraint `NOT VALID`: it is enforced for new rows at once and the lock is brief, because existing rows ' +
      'are not checked. Then run `ALTER TABLE … VALIDATE CONSTRAINT` in a separate transaction: it checks the existing rows ' +
      'under a SHARE UPDATE EXCLUSIVE lock on the table (ROW SHARE on the referenced one), so reads and writes continue. ' +
      'Before PostgreSQL 18 a partitioned table does not accept NOT VALID foreign keys. ' +
      'If both run in the same transaction, the first lock is still held during the scan and nothing is gained: put ' +
      'VALIDATE after the COMMIT, or in the next migration when the migration tool wraps each file in a transaction. ' +
      'Tables created earlier in the same migration are exempt: nobody else can use them yet.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD FOREIGN KEY … REFERENCES parent',
      mode: 'SHARE ROW EXCLUSIVE',
      on: 'the referencing table, scanned to check every row',
      blocks: blockedOperations('SHARE ROW EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_PARENT_SETUP, statement: ADD_FOREIGN_KEY, relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD FOREIGN KEY … REFERENCES parent',
      mode: 'SHARE ROW EXCLUSIVE',
      on: 'the referenced table',
      blocks: blockedOperations('SHARE ROW EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_PARENT_SETUP, statement: ADD_FOREIGN_KEY, relation: 'lock_probe_parent' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD COLUMN col … DEFAULT … REFERENCES parent',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, scanned to check every row',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_PARENT_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN parent_id int DEFAULT 1 REFERENCES lock_probe_parent (id)', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ALTER TABLE table VALIDATE CONSTRAINT fk (the safe second step, in its own transaction)',
      mode: 'SHARE UPDATE EXCLUSIVE',
      on: 'the referencing table, scanned',
      blocks: blockedOperations('SHARE UPDATE EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: {
        setup: [...PROBE_PARENT_SETUP, `${ADD_FOREIGN_KEY} NOT VALID`],
        statement: 'ALTER TABLE lock_probe VALIDATE CONSTRAINT lock_probe_customer_fk',
        relation: 'lock_probe',
      },
    },
    {
      kind: 'failure',
      statement: 'ALTER TABLE partitioned_table ADD FOREIGN KEY … NOT VALID (why the fix is never applied unseen)',
      sqlstate: '42809',
      message: 'cannot add NOT VALID foreign key on partitioned table "lock_probe_parted" referencing relation "lock_probe_parent"',
      versions: { from: 11, until: 17 },
      source: DOCS_ALTER_TABLE,
      probe: {
        setup: [...PROBE_PARENT_SETUP, 'CREATE TABLE lock_probe_parted (id int, customer_id int) PARTITION BY RANGE (id)'],
        statement: 'ALTER TABLE lock_probe_parted ADD FOREIGN KEY (customer_id) REFERENCES lock_probe_parent (id) NOT VALID',
      },
    },
  ],
  fixChecks: [
    { setup: PROBE_PARENT_SETUP, migration: `${ADD_FOREIGN_KEY};\n` },
    { setup: PROBE_PARENT_SETUP, migration: 'ALTER TABLE lock_probe ADD FOREIGN KEY (customer_id) REFERENCES lock_probe_parent ON DELETE CASCADE;\n' },
    { setup: PROBE_PARENT_SETUP, migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN parent_id int DEFAULT 1 REFERENCES lock_probe_parent (id);\nCOMMIT;\n' },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed' || !nodeAs(statement, 'AlterTableStmt')) return [];
    // Only a statement that adds such a constraint is reported: the others never look at the file.
    if (!addedConstraints(statement).some(({ constraint }) => constraint.contype === 'CONSTR_FOREIGN' && validatesExistingRows(constraint))) return [];
    const table = statement.targets[0]!;
    if (holdsFewRowsOrNone(context, table, statement.index)) return [];
    const columns = addedColumns({ statement, table, commands: statement.alterTableCommands });
    const foreignKeys = addedConstraints(statement).filter(
      ({ constraint, column }) => constraint.contype === 'CONSTR_FOREIGN' && validatesExistingRows(constraint) && (!column || fillsExistingRows(columns.find((added) => added.column === column))),
    );
    const [own, ...others] = locksOf(statement, context.options.pgVersion);
    // An earlier statement of the transaction may already hold the table ACCESS EXCLUSIVE (a dropped key, a new column): then reads wait too.
    const waitingOn = (relation: RelationName, ownMode: LockMode) => {
      const holder = ownMode === 'ACCESS EXCLUSIVE' ? undefined : heldEarlierInTransaction(statement, context, relation, 'ACCESS EXCLUSIVE');
      return holder ? `line ${lineOf(holder, context)} of this transaction already holds it ACCESS EXCLUSIVE: all reads and writes wait` : waiting(ownMode);
    };
    const mode = own?.mode ?? 'SHARE ROW EXCLUSIVE';
    return foreignKeys.map((added) => {
      const referenced = added.constraint.pktable ? relationFromRangeVar(added.constraint.pktable, statement.locate) : table;
      const referencedMode = others.find((lock) => sameRelation(lock.relation, referenced))?.mode ?? 'SHARE ROW EXCLUSIVE';
      const onReferenced = sameRelation(referenced, table) ? '' : ` and ${lockPhrase(referencedMode)} on ${displayRelation(referenced)} (${waitingOn(referenced, referencedMode)})`;
      return {
        message:
          `Adding this foreign key scans ${displayRelation(table)} to check every row while holding ${lockPhrase(mode)} on it ` +
          `(${waitingOn(table, mode)})${onReferenced} until the scan ends: minutes on a large table. Add it NOT VALID and run ` +
          `VALIDATE CONSTRAINT in a separate transaction, which lets reads and writes continue.`,
        range: constraintHeadline(statement, added, added.column ? 'REFERENCES' : 'KEY'),
        lock: { mode, relation: table, blocks: blockedOperations(mode) },
        safeAlternative: 'ADD CONSTRAINT … NOT VALID (brief lock), then VALIDATE CONSTRAINT in its own transaction (reads and writes continue).',
        fixes: [notValidFix(statement, context, added, 'REFERENCES')],
        noFixReasonInDoBlock: notValidInDoBlock(statement, context, added),
      };
    });
  },
};

/** What waits behind the lock, in a few words. */
const waiting = (mode: LockMode) => (blockedOperations(mode).includes('SELECT') ? 'all reads and writes wait' : 'INSERT, UPDATE and DELETE wait');

/**
 * Whether ADD COLUMN gives the existing rows a value an inline REFERENCES must check: a DEFAULT (even
 * DEFAULT NULL), serial, identity or generated column. Without one every row is NULL and PostgreSQL
 * skips the validation (measured on 13 and 18: no scan of the table).
 */
function fillsExistingRows(added: AddedColumn | undefined): boolean {
  if (!added) return true;
  return added.constraints.some((constraint) => constraint.contype === 'CONSTR_DEFAULT') || isSerial(added) || isIdentity(added) || generatedConstraint(added) !== undefined;
}
