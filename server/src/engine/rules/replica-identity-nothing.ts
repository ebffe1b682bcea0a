import { blockedOperations } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { nodeAs } from '../model/statement';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { alterTableClause } from './support/alter-table-clauses';

const DOCS_REPLICA_IDENTITY = 'https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-REPLICA-IDENTITY';
const SET_NOTHING = 'ALTER TABLE lock_probe REPLICA IDENTITY NOTHING';

/** REPLICA IDENTITY NOTHING: on a table published for updates or deletes, every UPDATE and DELETE fails. */
export const replicaIdentityNothing: Rule = {
  id: 'replica-identity-nothing',
  severity: 'warning',
  category: 'breaking-changes',
  docs: {
    summary: 'ALTER TABLE … REPLICA IDENTITY NOTHING: if the table is published for logical replication, its UPDATEs and DELETEs fail.',
    why:
      'Logical replication identifies the rows an UPDATE or DELETE changes by the replica identity (the primary key by ' +
      'default). With `REPLICA IDENTITY NOTHING`, a table that is part of a publication publishing updates or deletes ' +
      '(the default for `CREATE PUBLICATION`, and for `FOR ALL TABLES`) rejects every UPDATE and DELETE: "cannot update ' +
      'table … because it does not have a replica identity and publishes updates". Whether the table is published is ' +
      'decided outside the migration, often by a CDC tool set up later.',
    example: {
      bad: 'ALTER TABLE events REPLICA IDENTITY NOTHING;',
      good: 'ALTER TABLE events REPLICA IDENTITY DEFAULT;',
    },
    instead:
      'Keep the default replica identity (the primary key), or `USING INDEX` a unique index on NOT NULL columns. ' +
      '`REPLICA IDENTITY FULL` is not reported: it is what CDC tools such as Supabase Realtime and Debezium ask for to ' +
      'see old values, at the cost of logging whole old rows. When the table is never published, suppress the finding ' +
      'with that reason.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE table REPLICA IDENTITY …',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table (catalog change only)',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_REPLICA_IDENTITY,
      probe: { setup: PROBE_TABLE_SETUP, statement: SET_NOTHING, relation: 'lock_probe' },
    },
    {
      kind: 'failure',
      statement: 'UPDATE of a table with REPLICA IDENTITY NOTHING that a publication publishes updates of',
      sqlstate: '55000',
      message: 'cannot update table "lock_probe" because it does not have a replica identity and publishes updates',
      versions: { from: 10 },
      source: 'https://www.postgresql.org/docs/current/logical-replication-publication.html',
      probe: {
        setup: PROBE_TABLE_SETUP,
        statement: `CREATE PUBLICATION lock_probe_publication FOR TABLE lock_probe; ${SET_NOTHING}; UPDATE lock_probe SET customer_id = 0 WHERE id = 1`,
      },
    },
  ],
  fixChecks: [],
  check(statement) {
    if (statement.kind !== 'parsed' || nodeAs(statement, 'AlterTableStmt')?.objtype !== 'OBJECT_TABLE') return [];
    const table = statement.targets[0];
    const index = statement.alterTableCommands.findIndex((cmd) => cmd.subtype === 'AT_ReplicaIdentity' && cmd.def && 'ReplicaIdentityStmt' in cmd.def && cmd.def.ReplicaIdentityStmt.identity_type === 'n');
    if (!table || index === -1) return [];
    return [
      {
        message:
          `${displayRelation(table)} gets no replica identity: if a publication publishes its updates or deletes (CREATE PUBLICATION does by default), ` +
          'every UPDATE and DELETE on it fails from now on. Keep the primary key as replica identity, or USING INDEX a unique index.',
        range: alterTableClause(statement, index),
        noFixReason: 'Which identity the table needs depends on its keys and on how it is replicated.',
        safeAlternative: 'REPLICA IDENTITY DEFAULT (the primary key) or REPLICA IDENTITY USING INDEX a unique index on NOT NULL columns.',
      },
    ];
  },
};
