import { blockedOperations } from '../locks/lock-modes';
import { displayRelation } from '../model/relations';
import { PROBE_TRIGGER_FUNCTION_SETUP } from './support/triggers';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Rule } from './rule';
import { formatMilliseconds, settingChange } from './support/session-settings';
import {
  blockingStatements,
  describeLines,
  MAX_LOCK_TIMEOUT_MS,
  queuedTraffic,
  statementKeywords,
  SUGGESTED_LOCK_TIMEOUT_MS,
} from './support/timeout-coverage';

const DOCS_LOCK_TIMEOUT = 'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT';

/**
 * A lock_timeout of minutes bounds the outage it was meant to prevent at minutes: while the DDL
 * waits for its lock, everything behind it waits too.
 */
export const lockTimeoutTooLong: Rule = {
  id: 'lock-timeout-too-long',
  severity: 'warning',
  category: 'hygiene',
  docs: {
    summary: `lock_timeout is set above ${formatMilliseconds(MAX_LOCK_TIMEOUT_MS)} before a statement that blocks reads or writes while it waits for its lock.`,
    why:
      '`lock_timeout` limits how long a statement waits for its lock, and so how long the queries that queue behind ' +
      'the waiting statement are stuck. A blocking DDL statement that waits 1 minute for a long query makes every read ' +
      'and write on the table (every write, for SHARE locks) wait that minute too: connection pools run dry long before. ' +
      `Lockguard flags values above ${formatMilliseconds(MAX_LOCK_TIMEOUT_MS)} (the limit strong_migrations uses too), but only when a ` +
      'statement that takes SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE or ACCESS EXCLUSIVE on an existing table runs under ' +
      'it: a long lock_timeout for a CONCURRENTLY build, which lets traffic through while it waits, is fine.',
    example: {
      bad: "SET lock_timeout = '5min';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;",
      good: "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;",
    },
    instead:
      `Keep \`lock_timeout\` at a few seconds (\`'${formatMilliseconds(SUGGESTED_LOCK_TIMEOUT_MS)}'\`) and retry the migration when it times ` +
      'out, at a quiet moment or after finding the blocking session (`pg_blocking_pids()`). The quick fix sets the ' +
      'value to the short one; it is not applied automatically, since a shorter timeout can fail where the long one waited.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'ALTER TABLE … ADD COLUMN, waiting for its lock',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the table; while the request waits, later conflicting requests queue behind it',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 9 },
      source: DOCS_LOCK_TIMEOUT,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN note text', relation: 'lock_probe' },
    },
  ],
  fixChecks: [
    { setup: PROBE_TABLE_SETUP, migration: "SET lock_timeout = '1min';\nALTER TABLE lock_probe ADD COLUMN note text;\n" },
    { setup: PROBE_TRIGGER_FUNCTION_SETUP, migration: "BEGIN;\nSELECT set_config('lock_timeout', '30000', true);\nCREATE TRIGGER lock_probe_touch BEFORE UPDATE ON lock_probe FOR EACH ROW EXECUTE FUNCTION lock_probe_touch();\nCOMMIT;\n" },
  ],
  check(statement, context) {
    const change = settingChange(statement, 'lock_timeout');
    if (!change || typeof change.value !== 'number' || change.value <= MAX_LOCK_TIMEOUT_MS) return [];
    const covered = blockingStatements(context, 'lock_timeout').filter((blocking) => blocking.inForce.setBy === statement.index);
    const [first] = covered;
    if (!first) return [];

    const value = formatMilliseconds(change.value);
    const suggested = formatMilliseconds(SUGGESTED_LOCK_TIMEOUT_MS);
    const table = displayRelation(first.lock.relation);
    return [
      {
        message:
          `lock_timeout = ${value} lets the statement${covered.length > 1 ? 's' : ''} on ${describeLines(context, covered.map((blocking) => blocking.statement))} wait up to ${value} for ` +
          `${first.lock.mode} on ${table}, and ${queuedTraffic(first.lock.mode, table)} behind it all that time. Keep it at a few ` +
          `seconds ('${suggested}') and retry the migration when it times out.`,
        range: change.valueRange ?? statementKeywords(statement),
        related: covered.map((blocking) => ({
          range: statementKeywords(blocking.statement),
          message: `Waits up to ${value} for ${blocking.lock.mode} on ${displayRelation(blocking.lock.relation)}`,
        })),
        lock: { mode: first.lock.mode, relation: first.lock.relation, blocks: blockedOperations(first.lock.mode) },
        safeAlternative: `lock_timeout = '${suggested}', and retry on timeout.`,
        ...(change.valueRange
          ? { fixes: [{ title: `Shorten lock_timeout to '${suggested}'`, edits: [{ range: change.valueRange, newText: `'${suggested}'` }], preferred: true, autoApplicable: false }] }
          : { noFixReason: 'The value is not written as a literal here.' }),
      },
    ];
  },
};
