/**
 * A rule that asks the schema catalogue (`context.schema`) is reused on a statement while the answers
 * it got stay the same (server/src/engine/incremental.ts records them): typing elsewhere does not run
 * it again, an edit that changes an answer does.
 */
import { describe, expect, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { nodeAs } from '../../server/src/engine/model/statement';
import type { Rule } from '../../server/src/engine/rules/rule';

/** Reports an INSERT into a table the schema shows without a column `note`; counts the statements it checks. */
function insertWithoutNoteRule(): Rule & { checked: string[] } {
  const checked: string[] = [];
  return {
    id: 'insert-without-note',
    severity: 'warning',
    category: 'hygiene',
    docs: { summary: 'test rule', why: 'test', example: { bad: '', good: '' }, instead: 'test' },
    facts: [],
    fixChecks: [],
    checked,
    check(statement, context) {
      const insert = nodeAs(statement, 'InsertStmt');
      if (!insert?.relation?.relname) return [];
      checked.push(statement.text);
      const table = { schema: undefined, name: insert.relation.relname };
      return context.schema.before(statement.index).column(table, 'note') ? [] : [{ message: `${table.name} has no note` }];
    },
  };
}

const TEXT = ['CREATE TABLE orders (id int);', "INSERT INTO orders VALUES (1);", 'CREATE INDEX a_idx ON a (x);', "INSERT INTO orders VALUES (2);"].join('\n');

describe('incremental re-analysis of rules that ask the schema', () => {
  it('reuses their reports while the answers stay the same, and runs them again when an answer changes', async () => {
    const rule = insertWithoutNoteRule();
    const linter = await Linter.create([rule]);
    const first = linter.lintIncrementally(TEXT, {}, undefined);
    expect(first.findings.map((finding) => finding.message)).toEqual(['orders has no note', 'orders has no note']);

    rule.checked.length = 0;
    const typed = linter.lintIncrementally(TEXT.replace('a_idx', 'ab_idx'), {}, first);
    expect(rule.checked).toEqual([]);
    // The second INSERT is below the edit: its reused report moved with it.
    const [above, below] = first.findings.map((finding) => finding.range.start);
    expect(typed.findings.map((finding) => finding.range.start)).toEqual([above, below! + 1]);

    rule.checked.length = 0;
    const withNote = linter.lintIncrementally(TEXT.replace('ab_idx', 'x').replace('(id int)', '(id int, note text)'), {}, typed);
    expect(rule.checked).toHaveLength(2);
    expect(withNote.findings).toEqual([]);
  });
});
