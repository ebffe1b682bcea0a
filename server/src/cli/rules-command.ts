import { ALL_RULES, RULE_CATEGORIES, renderRuleDoc, ruleById, type Rule, type RuleCategory, type Severity } from '../engine';
import { nearestName, type OptionValues } from './arguments';
import type { RULES_COMMAND } from './commands';
import { paintFor, type Paint } from './format-text';
import { ruleDocsWebUrl } from './project-links';
import { markdownForTerminal } from './terminal-markdown';
import { UsageError } from './usage';

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/**
 * `lockguard rules [WORD]` lists the rules (id, severity, on or off by default, category, summary), filtered
 * by severity, default, category and a word of the id or summary, as a table or as JSON; `lockguard rules
 * ID` prints that rule's page.
 */
export async function runRules(values: OptionValues<typeof RULES_COMMAND.options>, positionals: readonly string[]): Promise<number> {
  if (positionals.length > 1) throw new UsageError('`lockguard rules` takes one rule id or one word to filter by: lockguard rules index.');
  const paint = paintFor(process.stdout.isTTY === true, process.env);
  const [word] = positionals;
  const format = parseFormat(values.format ?? 'text');
  const rule = word === undefined ? undefined : ruleById(word);
  if (rule && format === 'json') {
    process.stdout.write(ruleJson([rule]));
    return 0;
  }
  if (rule) {
    process.stdout.write(markdownForTerminal(renderRuleDoc(rule), paint));
    return 0;
  }
  const severity = values.severity === undefined ? undefined : parseSeverity(values.severity);
  const byDefault = values.default === undefined ? undefined : parseDefault(values.default);
  const category = values.category === undefined ? undefined : parseCategory(values.category);
  const rules = ALL_RULES.filter(
    (candidate) =>
      (severity === undefined || candidate.severity === severity) &&
      (byDefault === undefined || defaultOf(candidate) === byDefault) &&
      (category === undefined || candidate.category === category) &&
      (word === undefined || `${candidate.id} ${candidate.docs.summary}`.toLowerCase().includes(word.toLowerCase())),
  );
  if (rules.length === 0) {
    const nearest = word === undefined ? undefined : nearestName(word, ALL_RULES.map((candidate) => candidate.id));
    process.stderr.write(`lockguard: no rule matches${word === undefined ? '' : ` "${word}"`}${nearest ? ` — did you mean ${nearest}?` : '.'}\n`);
    return 1;
  }
  process.stdout.write(format === 'json' ? ruleJson(rules) : ruleTable(rules, paint));
  return 0;
}

const defaultOf = (rule: Rule): 'on' | 'off' => rule.defaultSetting ?? 'on';

/** The stable JSON shape of `lockguard rules --format json`: fields are only ever added. */
function ruleJson(rules: readonly Rule[]): string {
  const entries = rules.map((rule) => ({ id: rule.id, severity: rule.severity, default: defaultOf(rule), category: rule.category, summary: rule.docs.summary, docs: ruleDocsWebUrl(rule.id) }));
  return JSON.stringify(entries, null, 2) + '\n';
}

const CATEGORY_WIDTH = Math.max(...RULE_CATEGORIES.map((category) => category.length));

function ruleTable(rules: readonly Rule[], paint: Paint): string {
  const idWidth = Math.max('RULE'.length, ...rules.map((rule) => rule.id.length));
  const header = paint.bold(`${'RULE'.padEnd(idWidth)}  ${'SEVERITY'.padEnd(8)}  DEFAULT  ${'CATEGORY'.padEnd(CATEGORY_WIDTH)}  WHAT IT CATCHES`);
  const rows = rules.map((rule) => `${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(8)}  ${defaultOf(rule).padEnd(7)}  ${rule.category.padEnd(CATEGORY_WIDTH)}  ${rule.docs.summary}`);
  const footer = paint.dim(`${rules.length} rule${rules.length === 1 ? '' : 's'}. \`lockguard rules RULE\` shows one rule's documentation.`);
  return [header, ...rows, '', footer, ''].join('\n');
}

function parseSeverity(value: string): Severity {
  const severity = SEVERITIES.find((candidate) => candidate === value);
  if (!severity) throw new UsageError(`--severity ${value}: use ${SEVERITIES.join(', ')}.`);
  return severity;
}

function parseDefault(value: string): 'on' | 'off' {
  if (value !== 'on' && value !== 'off') throw new UsageError(`--default ${value}: use on or off.`);
  return value;
}

function parseCategory(value: string): RuleCategory {
  const category = RULE_CATEGORIES.find((candidate) => candidate === value);
  if (!category) {
    const nearest = nearestName(value, RULE_CATEGORIES);
    throw new UsageError(`--category ${value}: use ${RULE_CATEGORIES.join(', ')}.${nearest ? ` Did you mean ${nearest}?` : ''}`);
  }
  return category;
}

function parseFormat(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new UsageError(`--format ${value}: use text or json.`);
  return value;
}
