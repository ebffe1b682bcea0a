import { blockedOperations } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { refusedInTransaction } from './probe-fixtures';
import type { FixCheck, LockFact, Report, Rule } from './rule';
import { addConcurrently } from './support/concurrently';
import { alterTableClause } from './support/alter-table-clauses';
import { partitionCommand, PROBE_PARTITIONED_SETUP } from './support/partitions';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';
const PROBE_DETACH = 'ALTER TABLE lock_probe_parent DETACH PARTITION lock_probe_old';
/** DETACH PARTITION … CONCURRENTLY exists from PostgreSQL 14. */
const CONCURRENT_DETACH_SINCE = 14;

/** The fix exists from PostgreSQL 14 only: `versions` lets the fix-check test skip older servers. */
const FIX_CHECKS: readonly FixCheck[] = [
  { setup: PROBE_PARTITIONED_SETUP, migration: 'ALTER TABLE lock_probe_parent DETACH PARTITION lock_probe_old;', versions: { from: CONCURRENT_DETACH_SINCE } },
  {
    setup: PROBE_PARTITIONED_SETUP,
    migration: 'BEGIN;\nALTER TABLE lock_probe_parent DETACH PARTITION lock_probe_old;\nCREATE TABLE lock_probe_note (id int);\nCOMMIT;\n',
    versions: { from: CONCURRENT_DETACH_SINCE },
  },
];

/** DETACH PARTITION without CONCURRENTLY locks the whole partitioned table against reads and writes. */
export const detachPartitionWithoutConcurrently: Rule = {
  id: 'detach-partition-without-concurrently',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'DETACH PARTITION without CONCURRENTLY: ACCESS EXCLUSIVE on the whole partitioned table (PostgreSQL 14+ has DETACH … CONCURRENTLY).',
    why:
      '`ALTER TABLE parent DETACH PARTITION p` takes an ACCESS EXCLUSIVE lock on the partitioned table: every read and ' +
      'write of every partition waits. Detaching is quick, but the lock must first wait for every query already ' +
      'running on the table, and all traffic that arrives meanwhile queues behind it, so a single long query stalls ' +
      'the whole table. Before PostgreSQL 14 there is no alternative: the rule then reports a warning, and the best ' +
      'you can do is bound the wait with `lock_timeout`.',
    example: {
      bad: 'ALTER TABLE events DETACH PARTITION events_2019;',
      good: 'ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;',
    },
    instead:
      'On PostgreSQL 14 and later, `DETACH PARTITION … CONCURRENTLY` takes only SHARE UPDATE EXCLUSIVE on the parent: ' +
      'reads and writes continue while it waits for the queries using the partition. It cannot run inside a ' +
      'transaction block (put it after the COMMIT, or in a migration that is not wrapped in one) and is refused when ' +
      'the parent has a DEFAULT partition; if it is interrupted, finish it with `DETACH PARTITION … FINALIZE`. Before ' +
      '14, set a short `lock_timeout` and retry. Partitioned tables created earlier in the same migration are exempt.',
  },
  facts: [
    detachFact('lock_probe_parent', 'ACCESS EXCLUSIVE', 'the partitioned (parent) table', { from: 10 }),
    detachFact('lock_probe_old', 'ACCESS EXCLUSIVE', 'the detached partition', { from: 14 }),
    refusedInTransaction('ALTER TABLE ... DETACH CONCURRENTLY', DOCS_ALTER_TABLE, {
      setup: PROBE_PARTITIONED_SETUP,
      statement: 'ALTER TABLE lock_probe_parent DETACH PARTITION lock_probe_old CONCURRENTLY',
    }, { from: CONCURRENT_DETACH_SINCE }),
  ],
  fixChecks: FIX_CHECKS,
  check(statement, context) {
    if (!nodeAs(statement, 'AlterTableStmt') || statement.kind !== 'parsed') return [];
    const detach = partitionCommand(statement, 'AT_DetachPartition');
    const parent = statement.targets[0];
    if (!detach || detach.concurrent || !parent || context.isCreatedInFile(parent, statement.index)) return [];
    const where = `${displayRelation(parent)} (the partitioned table)`;
    const report: Omit<Report, 'message'> = {
      range: alterTableClause(statement, statement.alterTableCommands.indexOf(detach.cmd)),
      lock: { mode: 'ACCESS EXCLUSIVE', relation: parent, blocks: blockedOperations('ACCESS EXCLUSIVE') },
    };
    const locked =
      `DETACH PARTITION takes an ACCESS EXCLUSIVE lock on ${where}: every read and write of every partition waits, and queues ` +
      'behind any query already running on it (a single long query stalls the table).';
    if (context.options.pgVersion < CONCURRENT_DETACH_SINCE) {
      return [
        {
          ...report,
          severity: 'warning',
          message: `${locked} PostgreSQL ${context.options.pgVersion} has no DETACH … CONCURRENTLY (it arrived in 14): set a short lock_timeout before it and retry on timeout.`,
          noFixReason: `DETACH PARTITION … CONCURRENTLY needs PostgreSQL 14 or later; the configured version is ${context.options.pgVersion}.`,
          safeAlternative: 'A short lock_timeout and a retry (PostgreSQL 14+: DETACH PARTITION … CONCURRENTLY).',
        },
      ];
    }
    const nameEnd = detach.partition.range?.end;
    const keyword = statement.tokens.find((token) => token.end === nameEnd);
    // Not applied blindly: PostgreSQL refuses it when the parent has a DEFAULT partition, which the file may not show.
    const fix = keyword ? addConcurrently(statement, context, keyword, 'Detach with DETACH PARTITION … CONCURRENTLY', false) : 'The partition name could not be located in the text.';
    return [
      {
        ...report,
        message: `${locked} Use DETACH PARTITION ${displayRelation(detach.partition)} CONCURRENTLY: reads and writes continue.`,
        safeAlternative: 'DETACH PARTITION … CONCURRENTLY (outside a transaction block; not with a DEFAULT partition).',
        ...(typeof fix === 'string' ? { noFixReason: fix } : { fixes: [fix] }),
      },
    ];
  },
};

function detachFact(relation: string, mode: LockFact['mode'], on: string, versions: LockFact['versions']): LockFact {
  return {
    kind: 'lock',
    statement: 'ALTER TABLE parent DETACH PARTITION partition',
    mode,
    on,
    blocks: blockedOperations(mode),
    rewrite: false,
    fullScan: false,
    versions,
    source: DOCS_ALTER_TABLE,
    probe: { setup: PROBE_PARTITIONED_SETUP, statement: PROBE_DETACH, relation },
  };
}
