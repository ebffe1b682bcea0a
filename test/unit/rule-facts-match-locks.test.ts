/**
 * One home for each lock fact: the lock a rule documents for its statement (its `facts`, probed on real
 * servers by test/postgres/lock-facts.test.ts) must be the lock the engine's lock table (`locksOf`) predicts
 * for that statement, so that a finding's hover and the staging check never disagree with the rule's page.
 */
import { describe, expect, it } from 'vitest';
import { buildStatements } from '../../server/src/engine/model/build';
import type { ParsedStatement } from '../../server/src/engine/model/statement';
import { defaultOptions } from '../../server/src/engine/options';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { LOCK_MODES } from '../../server/src/engine/locks/lock-modes';
import { locksTheSchemaShows } from '../../server/src/engine/locks/schema-locks';
import { locksOf } from '../../server/src/engine/locks/statement-locks';
import { schemaHistory } from '../../server/src/engine/model/schema/replay';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { LockFact, NoLockFact } from '../../server/src/engine/rules/rule';

const parser = await PostgresParser.load();

const lockFacts = ALL_RULES.flatMap((rule) =>
  rule.facts.filter((fact): fact is LockFact | NoLockFact => fact.kind === 'lock').map((fact) => ({ rule: rule.id, fact })),
);

/**
 * The strongest mode the engine predicts on the probe's relation, over the probe's statements, on the newest version
 * the fact holds for: `locksOf`, and the locks the schema the probe's setup leaves shows (`locksTheSchemaShows`).
 */
function predictedMode(fact: LockFact | NoLockFact): string {
  const version = fact.versions.until ?? 18;
  const setup = fact.probe.setup.map((sql) => `${sql};\n`).join('');
  const statements = buildStatements(`${setup}${fact.probe.statement}`, parser, defaultOptions());
  const schema = schemaHistory(statements);
  const probed = statements.slice(buildStatements(setup, parser, defaultOptions()).length);
  const locks = probed.flatMap((statement) =>
    statement.kind === 'parsed' ? [...locksOf(statement as ParsedStatement, version), ...locksTheSchemaShows(statement as ParsedStatement, schema.before(statement.index), version)] : [],
  );
  const strongest = locks
    .filter((lock) => lock.relation.name === fact.probe.relation)
    .map((lock) => lock.mode)
    .sort((a, b) => LOCK_MODES.indexOf(b) - LOCK_MODES.indexOf(a));
  return strongest[0] ?? 'none';
}

/**
 * Facts the lock table cannot predict from the statement alone, each with why. The lock is on a relation
 * the statement does not name, which only the schema can tell; the rule finds it there. A gap that
 * closes must leave this list, so that it is held to the table from then on.
 */
const KNOWN_GAPS: Readonly<Record<string, string>> = {
  'alter-domain-add-constraint: ALTER DOMAIN lock_probe_amount ADD CONSTRAINT lock_probe_amount_check CHECK (VALUE > 0) on lock_probe_payments': 'the tables with a column of the domain',
  'alter-domain-add-constraint: ALTER DOMAIN lock_probe_amount SET NOT NULL on lock_probe_payments': 'the tables with a column of the domain',
  'alter-domain-add-constraint: ALTER DOMAIN lock_probe_amount VALIDATE CONSTRAINT lock_probe_amount_check on lock_probe_payments': 'the tables with a column of the domain',
  'attach-partition-without-check: ALTER TABLE lock_probe_parent ATTACH PARTITION lock_probe FOR VALUES FROM (1) TO (1001) on lock_probe_default': "the parent's default partition",
  'concurrent-index-on-partitioned-table: ALTER INDEX lock_probe_parent_customer_idx ATTACH PARTITION lock_probe_old_customer_idx on lock_probe_parent': "the parent index's table",
  'drop-trigger: DROP TRIGGER IF EXISTS lock_probe_trigger ON lock_probe on lock_probe': 'whether the trigger exists (the lock is marked onlyIfTriggerExists)',
  'drop-view: DROP VIEW lock_probe_view; CREATE VIEW lock_probe_view AS SELECT id, customer_id FROM lock_probe on lock_probe_view': 'views are not in the lock table yet',
  'reindex-without-concurrently: REINDEX INDEX lock_probe_customer_idx on lock_probe': "the index's table",
  'truncate-table: TRUNCATE lock_probe CASCADE on lock_probe_child': 'the tables whose foreign keys reference it',
};

const cases = lockFacts.map(({ rule, fact }) => ({ name: `${rule}: ${fact.probe.statement} on ${fact.probe.relation}`, fact }));

describe("every rule's lock facts agree with the engine's lock table", () => {
  it('has lock facts to compare, and every known gap is one of them', () => {
    expect(cases.length).toBeGreaterThan(50);
    expect(Object.keys(KNOWN_GAPS).filter((name) => !cases.some((entry) => entry.name === name))).toEqual([]);
  });

  it.each(cases.filter(({ name }) => !(name in KNOWN_GAPS)).map(({ name, fact }) => [name, fact] as const))('%s', (_name, fact) => {
    expect(predictedMode(fact)).toBe(fact.mode);
  });

  it.each(Object.entries(KNOWN_GAPS))('known gap, %s: the lock is on %s', (name) => {
    const { fact } = cases.find((entry) => entry.name === name)!;
    expect(predictedMode(fact), 'the lock table now predicts it: remove the entry from KNOWN_GAPS').not.toBe(fact.mode);
  });
});
