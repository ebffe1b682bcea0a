import { blockedOperations, LOCK_MODES, trafficImpact } from '../locks/lock-modes';
import { locksOf, type TableLock } from '../locks/statement-locks';
import { displayRelation, sameRelation } from '../model/relations';
import type { ParsedStatement } from '../model/statement';
import type { Runner } from '../model/frameworks/framework';
import { moveAfterFileCommit } from './fixes/transaction-block';
import { PROBE_PARENT_SETUP, PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule, RuleContext } from './rule';
import { firstKeyword } from './support/keywords';
import { earlierInSameTransaction, validatedInSameTransaction, validateOutsideTheRunner } from './support/constraints';
import { locksOnTables } from './support/held-locks';
import { lineOf } from './support/lines';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES';
const ADD_CHECK_NOT_VALID = 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_check CHECK (customer_id >= 0) NOT VALID';
const VALIDATE_CHECK = 'ALTER TABLE lock_probe VALIDATE CONSTRAINT lock_probe_customer_check';

/**
 * NOT VALID + VALIDATE is meant to check existing rows under a weak lock. In one transaction the
 * ADD's lock (ACCESS EXCLUSIVE for CHECK, SHARE ROW EXCLUSIVE for foreign keys) lasts through the
 * VALIDATE scan, so the split gains nothing. This rule owns that case; lock-held-across-slow-statement
 * leaves such a VALIDATE to it.
 */
export const validateInSameTransaction: Rule = {
  id: 'validate-in-same-transaction',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'VALIDATE CONSTRAINT in the same transaction that added the constraint NOT VALID: the blocking lock is held through the scan.',
    why:
      'Adding a constraint `NOT VALID` and validating it later is the safe way to add a CHECK or a foreign key: the ADD ' +
      'holds its lock only for a moment, and `VALIDATE CONSTRAINT` scans the rows under SHARE UPDATE EXCLUSIVE, which ' +
      'lets reads and writes continue. But locks last until the transaction ends. When VALIDATE runs in the same ' +
      'transaction as the ADD, the ADD\'s lock — ACCESS EXCLUSIVE for a CHECK (no reads, no writes), SHARE ROW EXCLUSIVE ' +
      'on both tables for a foreign key (no writes) — is still held during the whole scan: exactly what NOT VALID was ' +
      'meant to avoid. The transaction may be opened by the migration tool rather than by BEGIN in the file.',
    example: {
      bad: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nCOMMIT;',
      good: 'BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;\nCOMMIT;\n\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;',
    },
    instead:
      'Run `VALIDATE CONSTRAINT` after the COMMIT of the transaction that added the constraint. When the migration tool ' +
      'wraps each file in a transaction, put VALIDATE in the next migration. Tables created earlier in the same migration ' +
      'are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ADD CHECK … NOT VALID; VALIDATE CONSTRAINT … in one transaction',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, held through the validation scan',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: { setup: PROBE_TABLE_SETUP, statement: `${ADD_CHECK_NOT_VALID}; ${VALIDATE_CHECK}`, relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'ADD FOREIGN KEY … NOT VALID; VALIDATE CONSTRAINT … in one transaction',
      mode: 'SHARE ROW EXCLUSIVE',
      on: 'the referenced table, held through the validation scan',
      blocks: blockedOperations('SHARE ROW EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_ALTER_TABLE,
      probe: {
        setup: PROBE_PARENT_SETUP,
        statement:
          'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_fk FOREIGN KEY (customer_id) REFERENCES lock_probe_parent (id) NOT VALID; ' +
          'ALTER TABLE lock_probe VALIDATE CONSTRAINT lock_probe_customer_fk',
        relation: 'lock_probe_parent',
      },
    },
  ],
  fixChecks: [{ setup: PROBE_TABLE_SETUP, migration: `BEGIN;\n${ADD_CHECK_NOT_VALID};\n${VALIDATE_CHECK};\nCOMMIT;\n` }],
  check(statement, context) {
    const found = validatedInSameTransaction(statement, context);
    if (!found || statement.kind !== 'parsed') return [];
    const table = statement.targets[0]!;
    if (context.isCreatedInFile(table, statement.index)) return [];
    const held = locksOf(found.adding, context.options.pgVersion);
    const mode = held[0]?.mode ?? 'ACCESS EXCLUSIVE';
    const heldTables = [...new Set(held.map((lock) => displayRelation(lock.relation)))];
    const tables = heldTables.join(' and ');
    // An earlier statement of the transaction may hold more than the ADD (a DROP CONSTRAINT, an ADD COLUMN): that is what waits.
    const stronger = strongerLocksHeldBefore(statement, context, held);
    const worst = stronger[0]?.lock ?? { mode, relation: held[0]?.relation ?? table };
    const strongerTables = [...new Set(stronger.map(({ lock }) => displayRelation(lock.relation)))];
    const alsoHeld = stronger.length > 0 ? `, and so is the ${worst.mode} lock line ${lineOf(stronger[0]!.by, context)} took on ${strongerTables.join(' and ')}` : '';
    const waitingTables = stronger.length > 0 ? strongerTables.length : heldTables.length;
    const report = {
      message:
        `VALIDATE CONSTRAINT runs in the same transaction that added the constraint NOT VALID, so the ${mode} lock the ADD ` +
        `took on ${tables} is still held (locks last until COMMIT)${alsoHeld}: ${trafficImpact(worst.mode, waitingTables > 1 ? 'on them' : 'on the table')} for the whole validation scan, ` +
        `and NOT VALID gains nothing. Run VALIDATE CONSTRAINT after COMMIT, in a transaction of its own.`,
      range: { start: statement.range.start, end: (firstKeyword(statement, ['VALIDATE']) ?? statement.tokens[0]!).end },
      lock: { mode: worst.mode, relation: worst.relation, blocks: blockedOperations(worst.mode) },
      related: [{ range: found.adding.range, message: `${mode} on ${tables} taken here; held until COMMIT` }],
      safeAlternative: 'VALIDATE CONSTRAINT after COMMIT (or in the next migration): it then scans under SHARE UPDATE EXCLUSIVE, and reads and writes continue.',
    };
    const moved = moveAfterFileCommit(statement, context.statements, context.source, statement.text, 'Move VALIDATE CONSTRAINT after COMMIT');
    if (typeof moved !== 'string') return [{ ...report, fixes: [moved] }];
    return [{ ...report, noFixReason: statement.transaction.kind === 'implicit' ? outOfTheRunnersTransaction(statement.transaction.tool) : moved }];
  },
};

/**
 * The locks earlier statements of the transaction hold on the ADD's tables that are stronger than the
 * ADD's own there (a DROP CONSTRAINT's or ADD COLUMN's ACCESS EXCLUSIVE beside a foreign key's SHARE ROW
 * EXCLUSIVE), keeping only the strongest mode among them, first taken first; tables created in the file are left out.
 */
function strongerLocksHeldBefore(statement: ParsedStatement, context: RuleContext, added: readonly TableLock[]): { lock: TableLock; by: ParsedStatement }[] {
  const strength = (lock: TableLock) => LOCK_MODES.indexOf(lock.mode);
  const stronger = earlierInSameTransaction(statement, context).flatMap((by) =>
    locksOnTables(by, context)
      .filter((lock) => {
        const own = added.find((candidate) => sameRelation(candidate.relation, lock.relation));
        return own !== undefined && strength(lock) > strength(own) && !context.isCreatedInFile(lock.relation, statement.index);
      })
      .map((lock) => ({ lock, by })),
  );
  const strongest = Math.max(-1, ...stronger.map(({ lock }) => strength(lock)));
  return stronger.filter(({ lock }) => strength(lock) === strongest);
}

/** Why VALIDATE cannot simply move when the runner's transaction holds the whole file, and where it goes instead. */
function outOfTheRunnersTransaction(tool: Runner): string {
  const { where, why } = validateOutsideTheRunner(tool);
  return `${why}. Run VALIDATE CONSTRAINT ${where}.`;
}
