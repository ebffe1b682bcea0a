import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP, refusedInTransaction } from './probe-fixtures';
import type { Rule } from './rule';
import { leadingKeywords } from './support/keywords';
import { optionEnabled } from './support/statement-options';

const DOCS_VACUUM = 'https://www.postgresql.org/docs/current/sql-vacuum.html';

const NO_ONLINE_STATEMENT =
  'PostgreSQL 18 and older have no statement that compacts a table online. Use pg_repack (an extension run from outside ' +
  'the migration; ACCESS EXCLUSIVE only for the final swap), or REPACK (CONCURRENTLY), planned for PostgreSQL 19 (in ' +
  'development). Plain VACUUM makes the space reusable without blocking reads or writes.';

const ADVICE = 'Use plain VACUUM (nothing waits; freed space is reused), or pg_repack from outside the migration to shrink the table online.';

/** VACUUM FULL copies the whole table under ACCESS EXCLUSIVE: an outage that grows with the table. */
export const vacuumFull: Rule = {
  id: 'vacuum-full',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until the copy is done.',
    why:
      '`VACUUM FULL` writes a new, compact copy of the table and rebuilds all its indexes while holding an ACCESS ' +
      'EXCLUSIVE lock: every SELECT, INSERT, UPDATE and DELETE on the table waits for the whole copy, minutes to hours ' +
      'on a large table. It also needs free disk for a second copy of the table and its indexes until it finishes. ' +
      'Without a table name it does this to every table of the database, one after the other.',
    example: {
      bad: 'VACUUM FULL orders;',
      good: '-- from outside the migration, online:\n-- pg_repack --table=orders\nVACUUM orders; -- or a plain VACUUM: space becomes reusable, nothing waits',
    },
    instead:
      'Plain `VACUUM` (and `ANALYZE`) take a SHARE UPDATE EXCLUSIVE lock: reads and writes continue, and freed space is ' +
      'reused by new rows, which is usually enough. To give space back to the operating system online, use the ' +
      '`pg_repack` extension from outside the migration (it copies the table while writes continue and takes ACCESS ' +
      'EXCLUSIVE only for the final swap); `REPACK (CONCURRENTLY)` is planned for PostgreSQL 19 (in development). There ' +
      'is no automatic fix. Tables created earlier in the same migration are exempt. VACUUM cannot run inside a ' +
      'transaction block at all; `concurrently-in-transaction` reports that.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'VACUUM FULL table',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_VACUUM,
      // VACUUM refuses the probe's transaction (the failure fact below). VACUUM FULL rewrites the table through
      // PostgreSQL's CLUSTER code (cluster_rel) under the same lock, so CLUSTER shows what it blocks.
      probe: { setup: PROBE_TABLE_SETUP, statement: 'CLUSTER lock_probe USING lock_probe_pkey', relation: 'lock_probe' },
    },
    {
      kind: 'lock',
      statement: 'VACUUM table, ANALYZE table (plain, the safe alternative)',
      mode: 'SHARE UPDATE EXCLUSIVE',
      on: 'the table',
      blocks: blockedOperations('SHARE UPDATE EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: 'https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES',
      // Plain VACUUM refuses the probe's transaction too; ANALYZE takes the same mode.
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ANALYZE lock_probe', relation: 'lock_probe' },
    },
    refusedInTransaction('VACUUM', DOCS_VACUUM, { setup: PROBE_TABLE_SETUP, statement: 'VACUUM FULL lock_probe' }, { from: 9 }),
  ],
  fixChecks: [],
  check(statement, context) {
    const vacuum = nodeAs(statement, 'VacuumStmt');
    if (!vacuum?.is_vacuumcmd || !optionEnabled(vacuum.options, 'full') || statement.kind !== 'parsed') return [];
    const range = leadingKeywords(statement, ['FULL']);
    if ((vacuum.rels ?? []).length === 0) {
      return [
        {
          message:
            'VACUUM FULL without a table rewrites every table of the database, one after the other, each under an ACCESS ' +
            `EXCLUSIVE lock: reads and writes on each table wait for its whole copy. ${ADVICE}`,
          range,
          noFixReason: NO_ONLINE_STATEMENT,
          safeAlternative: ADVICE,
        },
      ];
    }
    const locks = locksOf(statement, context.options.pgVersion).filter((lock) => !context.isCreatedInFile(lock.relation, statement.index));
    const [first] = locks;
    if (!first) return [];
    const names = locks.map((lock) => displayRelation(lock.relation)).join(', ');
    return [
      {
        message:
          `VACUUM FULL rewrites ${names} into a new file under an ACCESS EXCLUSIVE lock: every read and write waits for the ` +
          `whole copy (hours on a large table), which also needs free disk for a second copy of the table and its indexes. ${ADVICE}`,
        range,
        lock: { mode: first.mode, relation: first.relation, blocks: blockedOperations(first.mode) },
        noFixReason: NO_ONLINE_STATEMENT,
        safeAlternative: ADVICE,
      },
    ];
  },
};
