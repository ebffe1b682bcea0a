import { describe, expect, it } from 'vitest';
import { Linter } from '../engine';
import { formatJson } from './format-json';
import { fileReport } from './report';

const linter = await Linter.create();
const json = (sql: string) =>
  JSON.parse(formatJson([fileReport('m.sql', sql, linter.lint(sql, {}).findings)])) as {
    rule: string;
    fixes: unknown[];
    noFixReason?: string;
  }[];

describe('lockguard lint --format json', () => {
  // Review round 4 #29: the text output showed why there is no fix, the JSON output did not.
  it('gives the reason a finding has no fix, as the text output does', () => {
    const [finding] = json('DROP INDEX a_idx, b_idx;\n').filter((entry) => entry.rule === 'drop-index-without-concurrently');
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/only one index per statement/);
  });

  it('leaves the field out when there is nothing to explain', () => {
    const [finding] = json('DROP INDEX a_idx;\n').filter((entry) => entry.rule === 'drop-index-without-concurrently');
    expect(finding!.fixes).toHaveLength(1);
    expect(finding).not.toHaveProperty('noFixReason');
  });
});
