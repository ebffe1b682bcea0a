import { blockedOperations } from '../locks/lock-modes';
import { locksOf } from '../locks/statement-locks';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { addedConstraints, constraintHeadline, lockPhrase } from './support/constraints';
import { holdsFewRowsOrNone } from './support/tables-with-rows';

/**
 * ADD EXCLUDE builds its index under ACCESS EXCLUSIVE, and PostgreSQL has no NOT VALID, USING INDEX
 * or concurrent form for exclusion constraints: there is no safe rewrite, only a warning in time.
 */
export const exclusionConstraint: Rule = {
  id: 'exclusion-constraint',
  severity: 'error',
  category: 'locks',
  docs: {
    summary: 'ADD EXCLUDE on an existing table builds its index while all reads and writes wait; there is no concurrent form.',
    why:
      '`ALTER TABLE … ADD EXCLUDE` builds the index behind the constraint and checks every row while holding an ACCESS ' +
      'EXCLUSIVE lock on the table: every query on it, reads included, waits for the whole build. Unlike UNIQUE or ' +
      'CHECK constraints, exclusion constraints cannot be added `NOT VALID` nor attached to an index built concurrently ' +
      '(`USING INDEX` accepts only unique B-tree indexes).',
    example: {
      bad: 'ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&);',
      good: 'CREATE TABLE bookings (\n  room int,\n  during tstzrange,\n  EXCLUDE USING gist (room WITH =, during WITH &&)\n);',
    },
    instead:
      'Declare the exclusion constraint when the table is created (exempt: nobody uses it yet). On an existing large ' +
      'table, run it in a maintenance window with a short `lock_timeout`, or enforce the rule another way (a trigger, ' +
      'or application-side checks with a unique index built concurrently where equality suffices).',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table ADD EXCLUDE …',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table, while the index is built',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: true,
      versions: { from: 9 },
      source: 'https://www.postgresql.org/docs/current/sql-altertable.html',
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_excl EXCLUDE USING btree (id WITH =)', relation: 'lock_probe' },
    },
    {
      kind: 'failure',
      statement: 'ALTER TABLE table ADD EXCLUDE … NOT VALID',
      sqlstate: '0A000',
      message: 'EXCLUDE constraints cannot be marked NOT VALID',
      versions: { from: 9 },
      source: 'https://www.postgresql.org/docs/current/sql-altertable.html',
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_id_excl EXCLUDE USING btree (id WITH =) NOT VALID' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    if (statement.kind !== 'parsed' || !nodeAs(statement, 'AlterTableStmt')) return [];
    // Only a statement that adds such a constraint is reported: the others never look at the file.
    if (!addedConstraints(statement).some(({ constraint }) => constraint.contype === 'CONSTR_EXCLUSION')) return [];
    const table = statement.targets[0]!;
    if (holdsFewRowsOrNone(context, table, statement.index)) return [];
    const mode = locksOf(statement, context.options.pgVersion)[0]?.mode ?? 'ACCESS EXCLUSIVE';
    return addedConstraints(statement)
      .filter(({ constraint }) => constraint.contype === 'CONSTR_EXCLUSION')
      .map((added) => ({
        message:
          `ADD EXCLUDE builds its index on ${displayRelation(table)} while holding ${lockPhrase(mode)}: all reads and writes wait ` +
          `until the build ends (minutes on a large table), and there is no NOT VALID or concurrent form. Run it in a ` +
          `maintenance window with a short lock_timeout, or declare it when the table is created.`,
        range: constraintHeadline(statement, added, 'EXCLUDE'),
        lock: { mode, relation: table, blocks: blockedOperations(mode) },
        noFixReason: 'PostgreSQL has no NOT VALID, USING INDEX or concurrent form for exclusion constraints, so there is no rewrite that avoids the lock.',
        safeAlternative: 'None that keeps the constraint: run it in a maintenance window with a short lock_timeout.',
      }));
  },
};
