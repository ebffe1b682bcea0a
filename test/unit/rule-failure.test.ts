import { describe, expect, it } from 'vitest';
import { Linter, type RuleFailure } from '../../server/src/engine/lint';
import { ruleById } from '../../server/src/engine/rules/registry';
import type { Rule } from '../../server/src/engine/rules/rule';

/** A rule with a bug: it throws on every ALTER TABLE. Injected through the Linter API, never registered. */
const brokenRule: Rule = {
  id: 'broken-on-alter-table',
  severity: 'error',
  category: 'hygiene',
  docs: { summary: 'test rule', why: '', example: { bad: '', good: '' }, instead: '' },
  facts: [],
  fixChecks: [],
  check(statement) {
    if (statement.kind === 'parsed' && statement.nodeType === 'AlterTableStmt') throw new TypeError("Cannot read properties of undefined (reading 'relname')");
    return [];
  },
};

const indexRule = ruleById('create-index-without-concurrently')!;
const MIGRATION = 'ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\nALTER TABLE orders DROP COLUMN note;\n';

async function linterLogging(): Promise<{ linter: Linter; logged: RuleFailure[] }> {
  const logged: RuleFailure[] = [];
  return { linter: await Linter.create([brokenRule, indexRule], { onRuleFailure: (failure) => logged.push(failure) }), logged };
}

describe('a rule that throws', () => {
  it('fails only on the statements it throws on, as an internal-error finding, and the other rules still run', async () => {
    const { linter } = await linterLogging();
    const findings = linter.lint(MIGRATION).findings;
    const statementOf = (offset: number) => MIGRATION.slice(offset, MIGRATION.indexOf(';', offset));
    expect(findings.map((finding) => [finding.ruleId, statementOf(finding.range.start)])).toEqual([
      ['broken-on-alter-table', 'ALTER TABLE orders ADD COLUMN note text'],
      ['create-index-without-concurrently', 'CREATE INDEX orders_note_idx ON orders (note)'],
      ['broken-on-alter-table', 'ALTER TABLE orders DROP COLUMN note'],
    ]);
    const failure = findings[0]!;
    expect(failure.severity).toBe('warning');
    expect(failure.message).toMatch(/^Internal error: Lockguard's rule broken-on-alter-table failed on this statement \(Cannot read properties of undefined \(reading 'relname'\)\)/);
    expect(failure.message).toMatch(/The other rules still ran\. Please report this with the statement\./);
  });

  it('is logged once, not again on every re-analysis while the user types', async () => {
    const { linter, logged } = await linterLogging();
    linter.lint(MIGRATION);
    for (const typed of ['x', 'xy', 'xyz']) linter.lint(MIGRATION.replace('note text', `note${typed} text`));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ ruleId: 'broken-on-alter-table', statementText: 'ALTER TABLE orders ADD COLUMN note text' });
    expect(logged[0]!.error).toBeInstanceOf(TypeError);
  });

  it('leaves the linters that do not use it untouched', async () => {
    const healthy = await Linter.create([indexRule]);
    expect(healthy.lint(MIGRATION).findings.map((finding) => finding.ruleId)).toEqual(['create-index-without-concurrently']);
  });
});
