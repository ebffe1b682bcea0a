import { blockedOperations } from '../../locks/lock-modes';
import { displayRelation, type RelationName } from '../../model/relations';
import { PROBE_TABLE_SETUP } from '../probe-fixtures';
import type { LockFact, VersionRange } from '../rule';

/**
 * "`what` rewrites orders … : every read and write waits …" — the message of every statement that
 * copies a table under ACCESS EXCLUSIVE, with why it copies and what to do instead.
 */
export function rewriteMessage(what: string, table: RelationName, why: string, instead: string): string {
  return (
    `${what} rewrites ${displayRelation(table)} and rebuilds all its indexes under an ACCESS EXCLUSIVE lock (${why}): ` +
    `every read and write on the table waits until the copy is done, minutes to hours on a large table. ${instead}`
  );
}

/** The lock fact of an ALTER TABLE form that rewrites the table, probed on the shared probe table. */
export function rewriteFact(statement: string, probe: string, versions: VersionRange, source: string, setup: readonly string[] = PROBE_TABLE_SETUP): LockFact {
  return {
    kind: 'lock',
    statement,
    mode: 'ACCESS EXCLUSIVE',
    on: 'the table (rewritten, with all its indexes)',
    blocks: blockedOperations('ACCESS EXCLUSIVE'),
    rewrite: true,
    fullScan: true,
    versions,
    source,
    probe: { setup, statement: probe, relation: 'lock_probe' },
  };
}
