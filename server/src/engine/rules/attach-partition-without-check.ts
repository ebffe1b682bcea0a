import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { LockFact, Rule, RuleContext } from './rule';
import { alterTableClause } from './support/alter-table-clauses';
import { alterationsOf } from './support/breaking-changes';
import { addedConstraints, constraintName } from './support/constraints';
import { partitionCommand, PROBE_ATTACH_SETUP } from './support/partitions';

const DOCS_ALTER_TABLE = 'https://www.postgresql.org/docs/current/sql-altertable.html';
const PROBE_ATTACH = 'ALTER TABLE lock_probe_parent ATTACH PARTITION lock_probe FOR VALUES FROM (1) TO (1001)';

/**
 * ATTACH PARTITION scans the table it attaches, under ACCESS EXCLUSIVE on that table, to prove every row
 * fits the partition bound — unless a validated CHECK constraint already proves it.
 */
export const attachPartitionWithoutCheck: Rule = {
  id: 'attach-partition-without-check',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ATTACH PARTITION of an existing table without a validated CHECK constraint matching the bound: a full scan under ACCESS EXCLUSIVE.',
    why:
      '`ALTER TABLE parent ATTACH PARTITION t FOR VALUES …` checks that every row of `t` fits the bound. It scans all ' +
      'of `t` while holding an ACCESS EXCLUSIVE lock on it: every read and write of `t` waits for the whole scan. ' +
      'Before PostgreSQL 12 the parent is locked ACCESS EXCLUSIVE too (the whole partitioned table stops); since 12 ' +
      'the parent gets SHARE UPDATE EXCLUSIVE, which lets its reads and writes continue. If the parent has a DEFAULT ' +
      'partition, that one is scanned under ACCESS EXCLUSIVE as well, to prove none of its rows belong to the new ' +
      'partition. PostgreSQL skips the scan of `t` when a valid CHECK constraint on `t` already implies the bound.',
    example: {
      bad: "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
      good:
        "ALTER TABLE events_2025 ADD CONSTRAINT events_2025_bound CHECK (created_at IS NOT NULL AND created_at >= '2025-01-01' AND created_at < '2026-01-01') NOT VALID;\n" +
        'ALTER TABLE events_2025 VALIDATE CONSTRAINT events_2025_bound;\n' +
        "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n" +
        'ALTER TABLE events_2025 DROP CONSTRAINT events_2025_bound;',
    },
    instead:
      'Before attaching, add a CHECK constraint that matches the bound (including `IS NOT NULL` on the key columns) as ' +
      '`NOT VALID` (a brief lock, no scan), then `VALIDATE CONSTRAINT` it (scans under SHARE UPDATE EXCLUSIVE: reads ' +
      'and writes continue), then attach: PostgreSQL sees the constraint and skips its scan. The constraint can be ' +
      'dropped afterwards. The rule looks for such a CHECK earlier in the same file; a table created earlier in the ' +
      'same migration is exempt (nobody else uses it yet). There is no automatic fix: the CHECK must match the ' +
      "parent's partition key, which is defined elsewhere.",
  },
  facts: [
    attachFact('lock_probe', 'ACCESS EXCLUSIVE', 'the table being attached (scanned unless a valid CHECK implies the bound)', { from: 10 }, PROBE_ATTACH_SETUP),
    attachFact('lock_probe_parent', 'SHARE UPDATE EXCLUSIVE', 'the partitioned (parent) table', { from: 12 }, PROBE_ATTACH_SETUP),
    attachFact('lock_probe_parent', 'ACCESS EXCLUSIVE', 'the partitioned (parent) table', { from: 10, until: 11 }, PROBE_ATTACH_SETUP),
    attachFact(
      'lock_probe_default',
      'ACCESS EXCLUSIVE',
      "the parent's DEFAULT partition (scanned for rows that belong to the new partition)",
      { from: 11 },
      [...PROBE_ATTACH_SETUP, 'CREATE TABLE lock_probe_default PARTITION OF lock_probe_parent DEFAULT'],
    ),
  ],
  fixChecks: [],
  check(statement, context) {
    // ALTER INDEX … ATTACH PARTITION attaches an index: no scan, no bound.
    if (nodeAs(statement, 'AlterTableStmt')?.objtype !== 'OBJECT_TABLE' || statement.kind !== 'parsed') return [];
    const attach = partitionCommand(statement, 'AT_AttachPartition');
    const parent = statement.targets[0];
    if (!attach || !parent || context.isCreatedInFile(attach.partition, statement.index) || hasValidatedCheck(attach.partition, statement, context)) return [];
    const table = displayRelation(attach.partition);
    const parentLock =
      context.options.pgVersion >= 12
        ? `${displayRelation(parent)} itself only gets SHARE UPDATE EXCLUSIVE`
        : `before PostgreSQL 12, ${displayRelation(parent)} is locked ACCESS EXCLUSIVE as well, so the whole partitioned table stops`;
    return [
      {
        message:
          `ATTACH PARTITION scans all of ${table} to check that its rows fit the bound, holding an ACCESS EXCLUSIVE lock on it: every ` +
          `read and write of ${table} waits for the whole scan (${parentLock}). No validated CHECK constraint on ${table} in this file ` +
          'lets PostgreSQL skip the scan: add one matching the bound as NOT VALID, VALIDATE it (reads and writes continue), then attach.',
        range: alterTableClause(statement, statement.alterTableCommands.indexOf(attach.cmd)),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: attach.partition, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        noFixReason: "The CHECK constraint must match the parent's partition key and this bound; the key is defined with the parent, outside this statement.",
        safeAlternative: 'ADD CONSTRAINT … CHECK (bound) NOT VALID, VALIDATE CONSTRAINT, then ATTACH PARTITION (no scan).',
      },
    ];
  },
};

/**
 * Whether an earlier statement adds a CHECK constraint to `table` that is valid by the time of the attach:
 * added without NOT VALID, or validated afterwards. Whether it implies the bound is left to the author.
 */
function hasValidatedCheck(table: RelationName, attach: ParsedStatement, context: RuleContext): boolean {
  const alterations = alterationsOf(context, table, 0, attach.index);
  const validated = new Set(alterations.flatMap((statement) => statement.alterTableCommands.flatMap((cmd) => (cmd.subtype === 'AT_ValidateConstraint' && cmd.name ? [cmd.name] : []))));
  return alterations.some((statement) =>
    addedConstraints(statement).some(
      (added) => added.constraint.contype === 'CONSTR_CHECK' && (!added.constraint.skip_validation || validated.has(constraintName(statement.targets[0]!, added))),
    ),
  );
}

function attachFact(relation: string, mode: LockFact['mode'], on: string, versions: LockFact['versions'], setup: readonly string[]): LockFact {
  return {
    kind: 'lock',
    statement: 'ALTER TABLE parent ATTACH PARTITION table FOR VALUES …',
    mode,
    on,
    blocks: blockedOperations(mode),
    rewrite: false,
    fullScan: relation !== 'lock_probe_parent',
    versions,
    source: DOCS_ALTER_TABLE,
    probe: { setup, statement: PROBE_ATTACH, relation },
  };
}
