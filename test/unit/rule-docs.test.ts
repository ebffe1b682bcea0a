import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PG_VERSION } from '../../server/src/engine/options';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import { RULE_CATEGORIES, type Rule } from '../../server/src/engine/rules/rule';
import { renderRuleDoc, renderRuleIndex, renderRuleTable } from '../../server/src/engine/rules/render-docs';
import { PROJECT_ROOT } from '../helpers/lsp-client';
import { lint } from '../helpers/lint';

// `npm run docs` sets UPDATE_DOCS=1 to rewrite the pages; otherwise a page that differs fails the test.
const DOCS = join(PROJECT_ROOT, 'docs', 'rules');
const pages = [...ALL_RULES.map((rule) => [`${rule.id}.md`, renderRuleDoc(rule)] as const), ['README.md', renderRuleIndex(ALL_RULES)] as const];

describe('rule documentation pages match the rule modules', () => {
  it.each(pages)('docs/rules/%s', (file, expected) => {
    const path = join(DOCS, file);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, expected);
    expect(readFileSync(path, 'utf8'), 'docs/rules is out of date: run `npm run docs`').toBe(expected);
  });

  // The copies of the rules table in other pages, each linking to the rule pages from where it sits.
  it.each([
    ['README.md', 'docs/rules/'],
    ['docs/configuration.md', 'rules/'],
  ])("%s's rules table", (file, pagePrefix) => {
    const path = join(PROJECT_ROOT, file);
    const text = readFileSync(path, 'utf8');
    const table = /(<!-- rules:start[^>]*-->\n)[\s\S]*?(<!-- rules:end -->)/;
    expect(text, `${file} needs the <!-- rules:start --> … <!-- rules:end --> markers`).toMatch(table);
    const expected = text.replace(table, (_, start: string, end: string) => `${start}${renderRuleTable(ALL_RULES, pagePrefix)}\n${end}`);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(path, expected);
    expect(readFileSync(path, 'utf8'), `${file}'s rules table is out of date: run \`npm run docs\``).toBe(expected);
  });

  it('shows every rule under its category: on its page, in the index and in the tables', () => {
    const index = renderRuleIndex(ALL_RULES);
    for (const rule of ALL_RULES) {
      expect(RULE_CATEGORIES).toContain(rule.category);
      expect(renderRuleDoc(rule)).toContain(`**Category:** ${rule.category} ·`);
      expect(renderRuleTable([rule], '')).toContain(`| ${rule.severity} | ${rule.defaultSetting ?? 'on'} | ${rule.category} |`);
      const section = index.slice(index.indexOf(`\n## ${rule.category}\n`)).split(/\n## /)[1]!;
      expect(section, `${rule.id} is listed under ## ${rule.category}`).toContain(`| [${rule.id}](${rule.id}.md) |`);
    }
  });

  it('every rule has complete documentation and a unique id', () => {
    expect(new Set(ALL_RULES.map((rule) => rule.id)).size).toBe(ALL_RULES.length);
    for (const rule of ALL_RULES) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      for (const text of [rule.docs.summary, rule.docs.why, rule.docs.instead, rule.docs.example.bad, rule.docs.example.good]) expect(text.length).toBeGreaterThan(10);
    }
  });
});

// The examples are what users copy: a "Flagged" example the rule misses, or a "Safe" one it flags,
// teaches them the rule is wrong. Each rule runs at its own severity, so rules that are off by default run too.
describe('every rule page shows what the rule does', () => {
  // On the default PostgreSQL version, or the first one the rule's facts hold for (a form PostgreSQL 17 added, say).
  const versionOf = (rule: Rule) => {
    const firstHolds = Math.min(...rule.facts.map((fact) => fact.versions.from));
    return Number.isFinite(firstHolds) ? Math.max(DEFAULT_PG_VERSION, firstHolds) : DEFAULT_PG_VERSION;
  };
  const findingsOfRule = (rule: Rule, sql: string) => lint(sql, { rules: { [rule.id]: rule.severity }, pgVersion: versionOf(rule) }).filter((finding) => finding.ruleId === rule.id);
  /** Rules that contradict their own page, where the page is right: each must be fixed in the rule, then removed from here. */
  const RULE_BUGS: Readonly<Record<string, string>> = {};
  for (const rule of ALL_RULES) {
    const test = RULE_BUGS[rule.id] ? it.fails : it;
    test(`${rule.id}: the flagged example is reported, the safe one is not${RULE_BUGS[rule.id] ? ` (known rule bug: ${RULE_BUGS[rule.id]})` : ''}`, () => {
      expect(findingsOfRule(rule, rule.docs.example.bad), 'the "Flagged" example gets no finding').not.toEqual([]);
      expect(findingsOfRule(rule, rule.docs.example.good).map((finding) => finding.message), 'the "Safe" example is reported').toEqual([]);
    });
  }
});
