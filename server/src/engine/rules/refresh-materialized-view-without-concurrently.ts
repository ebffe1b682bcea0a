import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Report, Rule } from './rule';
import { firstKeyword, leadingKeywords } from './support/keywords';

const DOCS_REFRESH = 'https://www.postgresql.org/docs/current/sql-refreshmaterializedview.html';
const PROBE_VIEW_SETUP = [...PROBE_TABLE_SETUP, 'CREATE MATERIALIZED VIEW lock_probe_mv AS SELECT id, customer_id FROM lock_probe'];
const PROBE_UNIQUE_VIEW_SETUP = [...PROBE_VIEW_SETUP, 'CREATE UNIQUE INDEX lock_probe_mv_id_idx ON lock_probe_mv (id)'];

/** What CONCURRENTLY needs and costs: every message and fix title says it, because the fix can fail without it. */
const CONCURRENTLY_NEEDS =
  'it needs a UNIQUE index on the view that uses only column names and covers all rows (no WHERE clause), and it is ' +
  'slower overall when many rows change (it compares the old and new contents)';

/** A plain REFRESH locks the view against every query for the whole recompute. */
export const refreshMaterializedViewWithoutConcurrently: Rule = {
  id: 'refresh-materialized-view-without-concurrently',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every read of the view while its query runs again.',
    why:
      'A plain `REFRESH MATERIALIZED VIEW` takes an ACCESS EXCLUSIVE lock on the view and holds it while it runs the ' +
      "view's query again and replaces the contents: every query on the view waits, for as long as the query takes on " +
      'production data. `WITH NO DATA` is quick but empties the view: until the next refresh, every query on it fails ' +
      'with "materialized view … has not been populated".',
    example: {
      bad: 'REFRESH MATERIALIZED VIEW order_totals;',
      good: '-- once: CREATE UNIQUE INDEX CONCURRENTLY order_totals_customer_id_key ON order_totals (customer_id);\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;',
    },
    instead:
      '`REFRESH MATERIALIZED VIEW CONCURRENTLY` computes the new contents next to the old ones and applies the ' +
      'difference under an EXCLUSIVE lock: reads of the view continue (only another refresh waits). PostgreSQL refuses ' +
      'it unless the view has a UNIQUE index that uses only column names and covers all rows (no WHERE clause), and ' +
      'unless the view is already populated. It does more work than a plain refresh, so it is slower overall when many ' +
      'rows change, and faster when few do. Views created earlier in the same migration are exempt.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'REFRESH MATERIALIZED VIEW view',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the materialized view',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_REFRESH,
      probe: { setup: PROBE_VIEW_SETUP, statement: 'REFRESH MATERIALIZED VIEW lock_probe_mv', relation: 'lock_probe_mv' },
    },
    {
      kind: 'lock',
      statement: 'REFRESH MATERIALIZED VIEW CONCURRENTLY view (the safe alternative)',
      mode: 'EXCLUSIVE',
      on: 'the materialized view',
      // A materialized view cannot be written by the application; INSERT, UPDATE and DELETE wait for the lock before PostgreSQL rejects them.
      blocks: blockedOperations('EXCLUSIVE'),
      rewrite: true,
      fullScan: true,
      versions: { from: 9 },
      source: DOCS_REFRESH,
      probe: { setup: PROBE_UNIQUE_VIEW_SETUP, statement: 'REFRESH MATERIALIZED VIEW CONCURRENTLY lock_probe_mv', relation: 'lock_probe_mv' },
    },
  ],
  fixChecks: [
    { setup: PROBE_UNIQUE_VIEW_SETUP, migration: 'REFRESH MATERIALIZED VIEW lock_probe_mv;' },
    { setup: PROBE_UNIQUE_VIEW_SETUP, migration: 'BEGIN;\nUPDATE lock_probe SET customer_id = 1 WHERE id = 1;\nREFRESH MATERIALIZED VIEW lock_probe_mv WITH DATA;\nCOMMIT;\n' },
  ],
  check(statement, context) {
    const refresh = nodeAs(statement, 'RefreshMatViewStmt');
    if (!refresh || refresh.concurrent || statement.kind !== 'parsed') return [];
    const [lock] = locksOf(statement, context.options.pgVersion);
    if (!lock || context.isCreatedInFile(lock.relation, statement.index)) return [];
    const view = displayRelation(lock.relation);
    const common = {
      range: leadingKeywords(statement, ['VIEW']),
      lock: { mode: lock.mode, relation: lock.relation, blocks: blockedOperations(lock.mode) },
    };

    if (refresh.skipData) {
      const report: Report = {
        ...common,
        message:
          `REFRESH MATERIALIZED VIEW … WITH NO DATA takes an ACCESS EXCLUSIVE lock on ${view} and empties it: until the ` +
          `next REFRESH, every query on ${view} fails with "materialized view has not been populated".`,
        noFixReason:
          'CONCURRENTLY cannot be combined with WITH NO DATA (PostgreSQL rejects it). While code still reads the view, keep it ' +
          'populated (REFRESH … CONCURRENTLY); once nothing reads it, drop it.',
        safeAlternative: 'Keep the view populated while code reads it; drop it once nothing does.',
      };
      return [report];
    }
    const viewKeyword = firstKeyword(statement, ['VIEW'])!;
    return [
      {
        ...common,
        message:
          `REFRESH MATERIALIZED VIEW takes an ACCESS EXCLUSIVE lock on ${view} while it recomputes the whole view: every ` +
          `query on ${view} waits until the refresh ends. Use REFRESH MATERIALIZED VIEW CONCURRENTLY, which lets reads ` +
          `continue; ${CONCURRENTLY_NEEDS}.`,
        safeAlternative: `REFRESH MATERIALIZED VIEW CONCURRENTLY: reads continue; ${CONCURRENTLY_NEEDS}.`,
        fixes: [
          {
            title: `Refresh with CONCURRENTLY (needs a UNIQUE index on ${view} on plain columns, without WHERE; slower overall when many rows change)`,
            edits: [{ range: { start: viewKeyword.end, end: viewKeyword.end }, newText: ' CONCURRENTLY' }],
            preferred: true,
            // PostgreSQL refuses CONCURRENTLY when the view has no such unique index, which the file may not show.
            autoApplicable: false,
          },
        ],
      },
    ];
  },
};
