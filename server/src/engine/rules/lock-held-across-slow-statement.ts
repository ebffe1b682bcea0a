import { blockedOperations, trafficImpact } from '../locks/lock-modes';
import type { Work } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import type { ParsedStatement, TransactionContext } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, RelatedLocation, Rule, RuleContext } from './rule';
import { lineBefore } from './support/lines';
import { validatedInSameTransaction } from './support/constraints';
import { slowWorkUnderHeldLocks, type HeldLocks, type HeldRelation } from './support/slow-work';
import { inescapableRunner } from './support/transaction-control';
import type { Runner } from '../model/frameworks/framework';

/**
 * Locks last until COMMIT. A brief ACCESS EXCLUSIVE (ADD COLUMN, say) followed in the same
 * transaction by an index build or a validation scan keeps every read and write waiting for the
 * whole slow statement — including the ones that were split out to be "non-blocking".
 */
export const lockHeldAcrossSlowStatement: Rule = {
  id: 'lock-held-across-slow-statement',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'A slow statement runs while an earlier statement of the same transaction still holds a blocking lock.',
    why:
      'PostgreSQL releases locks only at the end of the transaction. When a statement that takes a blocking lock ' +
      '(ACCESS EXCLUSIVE for most ALTER TABLE forms, SHARE for CREATE INDEX, …) is followed in the same transaction by ' +
      'a statement whose run time grows with a table (an index build, a validation scan, a rewrite, a backfill), the ' +
      'first lock is held for the whole of the second: traffic that would have waited a moment waits minutes. This ' +
      'is how NOT VALID + VALIDATE in one transaction gains nothing (reported by validate-in-same-transaction). The transaction may be opened by ' +
      'the migration tool rather than by BEGIN in the file.',
    example: {
      bad: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nCOMMIT;',
      good: 'BEGIN;\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\nCOMMIT;\nBEGIN;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nCOMMIT;',
    },
    instead:
      'Commit before the slow statement, so the blocking lock is released first, or run the slow part in a ' +
      'migration of its own. Order the statements so the brief, blocking ones come last, or each in its own transaction.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE … ADD COLUMN, still held by the open transaction after the statement finished',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the altered table, until COMMIT or ROLLBACK',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: 'https://www.postgresql.org/docs/current/explicit-locking.html',
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN note text', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    {
      setup: [...PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_check CHECK (id > 0) NOT VALID'],
      migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN note text;\nALTER TABLE lock_probe VALIDATE CONSTRAINT lock_probe_id_check;\nCOMMIT;\n',
    },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const found = slowWorkUnderHeldLocks(statement, context);
    // A VALIDATE of a constraint this transaction added NOT VALID is validate-in-same-transaction's finding.
    if (!found || validatedInSameTransaction(statement, context)) return [];
    const { slow, held } = found;
    const headline = held.strongest;
    const fix = commitBefore(statement, context);
    const runner = inescapableRunner(statement, context);
    const strongest = heldTableNames(held.tables.filter((table) => table.strongest), statement, context);
    // A table held through an index as well is named once, with its strongest lock.
    const weaker = listed(heldTableNames(held.tables.filter((table) => !table.strongest), statement, context).filter((name) => !strongest.includes(name)));
    return [
      {
        message:
          `This statement ${describeWork(statement, slow[0]!.work)} ${displayRelation(slow[0]!.relation)} while the ${headline.lock.mode} lock an earlier ` +
          `statement of this transaction took on ${listed(strongest)} is still held` +
          `${weaker ? `, as are weaker locks on ${weaker}` : ''} (locks last until COMMIT), so for as long as this statement runs: ` +
          `${trafficImpact(headline.lock.mode)}. ${runner ? runner.optOut : 'Commit before it.'}`,
        range: keywordRange(statement),
        related: relatedLocations(held),
        lock: { mode: headline.lock.mode, relation: headline.lock.relation, blocks: blockedOperations(headline.lock.mode) },
        safeAlternative: 'COMMIT before the slow statement (or run it in a migration of its own) so the blocking lock is released first.',
        ...(fix ? { fixes: [fix] } : { noFixReason: noFixReason(statement.transaction, runner) }),
      },
    ];
  },
};

/** Related locations and tables named per finding: a long transaction would otherwise list every earlier statement in each. */
const MAX_LISTED = 5;

/** The held relations' names, each once: an index by its table's name when the schema knows it ("the table of orders_status_idx" otherwise). */
function heldTableNames(held: readonly HeldRelation[], statement: ParsedStatement, context: RuleContext): string[] {
  // The index may be gone by now (a DROP INDEX is what held the lock): asked of the schema the file starts from too.
  const [now, atStart] = [context.schema.before(statement.index), context.schema.before(0)];
  const nameOf = ({ relation, objectKind }: HeldRelation) => {
    if (objectKind !== 'index') return displayRelation(relation);
    const table = now.indexTable(relation) ?? atStart.indexTable(relation);
    return table ? displayRelation(table) : `the table of ${displayRelation(relation)}`;
  };
  return [...new Set(held.map(nameOf))];
}

/** "orders, the table of orders_status_idx", at most MAX_LISTED names. */
function listed(tables: readonly string[]): string {
  const more = tables.length - MAX_LISTED;
  return more > 0 ? `${tables.slice(0, MAX_LISTED).join(', ')} and ${more} more ${more === 1 ? 'table' : 'tables'}` : tables.join(', ');
}

/** The nearest MAX_LISTED held locks, in file order, then where the others start. */
function relatedLocations(held: HeldLocks): RelatedLocation[] {
  const listed: RelatedLocation[] = held.latest(MAX_LISTED).map(({ lock, by }) => ({ range: by.range, message: `${lock.mode} on ${displayRelation(lock.relation)} taken here; held until COMMIT` }));
  const others = held.count - MAX_LISTED;
  if (others <= 0) return listed;
  const more: RelatedLocation = {
    range: held.first.by.range,
    message: `and ${others} more blocking ${others === 1 ? 'lock' : 'locks'} taken earlier in this transaction, from here on; all held until COMMIT`,
  };
  return [more, ...listed];
}

function describeWork(statement: ParsedStatement, work: Work): string {
  const changes = statement.nodeType === 'UpdateStmt' || statement.nodeType === 'DeleteStmt';
  switch (work) {
    case 'rewrite':
      return 'rewrites';
    case 'index-build':
      return 'builds an index on';
    case 'scan':
      return changes ? 'changes every row of' : 'scans';
    default:
      return 'changes rows of';
  }
}

const keywordRange = (statement: ParsedStatement) => {
  const [first, second] = statement.tokens;
  return { start: first!.start, end: (second ?? first)!.end };
};

/** Inside BEGIN … COMMIT: end the transaction before the slow statement and start a new one. */
function commitBefore(statement: ParsedStatement, context: RuleContext): Fix | undefined {
  if (statement.transaction.kind !== 'explicit') return undefined;
  const before = lineBefore(statement, context);
  const ownLine = before.text.trim() === '';
  const at = ownLine ? before.range.start : statement.range.start;
  const indentation = ownLine ? before.text : '';
  return {
    title: 'Commit before this statement, so the earlier blocking lock is released (splits the transaction)',
    edits: [{ range: { start: at, end: at }, newText: `${indentation}COMMIT;\n${indentation}BEGIN;\n${ownLine ? '' : indentation}` }],
    preferred: true,
    autoApplicable: false,
  };
}

function noFixReason(transaction: TransactionContext, inescapable: Runner | undefined): string {
  if (inescapable) return `${inescapable.name} runs the whole file in one transaction${inescapable.oneTransactionForAllPending ? ', together with every other pending migration' : ''}. ${inescapable.optOut}`;
  if (transaction.kind === 'implicit') return `${transaction.tool.name} runs the whole file in one transaction: move the slow statement into a migration of its own. ${transaction.tool.optOut}`;
  return 'Split the transaction before this statement.';
}
