import { CATEGORY_DESCRIPTIONS, RULE_CATEGORIES, type Fact, type Rule, type VersionRange } from './rule';

/** The Markdown page of a rule, generated from its module so the docs cannot drift from the code. */
export function renderRuleDoc(rule: Rule): string {
  const { docs } = rule;
  const lines = [
    `# ${rule.id}`,
    '',
    `**Severity:** ${rule.severity}${offByDefault(rule)} · **Category:** ${rule.category} · ${docs.summary}`,
    '',
    '## Why it is dangerous',
    '',
    docs.why,
    '',
    '## Example',
    '',
    'Flagged:',
    '',
    '```sql',
    docs.example.bad,
    '```',
    '',
    'Safe:',
    '',
    '```sql',
    docs.example.good,
    '```',
    '',
    '## What to do instead',
    '',
    docs.instead,
  ];
  const locks = rule.facts.filter((fact) => fact.kind === 'lock');
  if (locks.length > 0) {
    lines.push('', '## Lock facts', '', '| Statement | Lock | On | Blocks | Rewrite | Full scan | PostgreSQL | Source |', '|---|---|---|---|---|---|---|---|');
    for (const fact of locks) {
      lines.push(`| \`${fact.statement}\` | ${fact.mode} | ${fact.on} | ${fact.blocks.join(', ') || 'nothing'} | ${yesNo(fact.rewrite)} | ${yesNo(fact.fullScan)} | ${versions(fact.versions)} | [docs](${fact.source}) |`);
    }
  }
  const failures = rule.facts.filter((fact) => fact.kind === 'failure');
  if (failures.length > 0) {
    lines.push('', '## Failure facts', '', '| Statement | Fails with | PostgreSQL | Source |', '|---|---|---|---|');
    for (const fact of failures) lines.push(`| \`${fact.statement}\` | ${fact.sqlstate}: ${fact.message} | ${versions(fact.versions)} | [docs](${fact.source}) |`);
  }
  if (rule.facts.length > 0) lines.push('', verifiedNote(rule.facts));
  return lines.join('\n') + '\n';
}

/** The index page listing every rule, one section per category. */
export function renderRuleIndex(rules: readonly Rule[]): string {
  const lines = [
    '# Lockguard rules',
    '',
    'Each rule has a category; `"categories": { "style": "off" }` in lockguard.json sets every rule of one at once ' +
      '(a rule\'s own setting in `"rules"` wins), and `lockguard rules --category style` lists them.',
  ];
  for (const category of RULE_CATEGORIES) {
    const members = rules.filter((rule) => rule.category === category);
    if (members.length > 0) lines.push('', `## ${category}`, '', CATEGORY_DESCRIPTIONS[category], '', renderRuleTable(members, '', { withCategory: false }));
  }
  return [...lines, ''].join('\n');
}

/**
 * The table of rules, each linked to its page at `${pagePrefix}<id>.md` (the README's copy links into docs/rules/);
 * without the category column where the table sits under its category's heading.
 */
export function renderRuleTable(rules: readonly Rule[], pagePrefix: string, { withCategory = true } = {}): string {
  const category = (rule: Rule) => (withCategory ? ` ${rule.category} |` : '');
  const rows = rules.map((rule) => `| [${rule.id}](${pagePrefix}${rule.id}.md) | ${rule.severity} | ${rule.defaultSetting ?? 'on'} |${category(rule)} ${rule.docs.summary} |`);
  const header = withCategory ? ['| Rule | Severity | Default | Category | What it catches |', '|---|---|---|---|---|'] : ['| Rule | Severity | Default | What it catches |', '|---|---|---|---|'];
  return [...header, ...rows].join('\n');
}

/** For a rule that is off by default: how to turn it on. */
const offByDefault = (rule: Rule) => (rule.defaultSetting === 'off' ? ` · **Off by default** (turn it on with \`"rules": { "${rule.id}": "${rule.severity}" }\` in lockguard.json)` : '');
const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const versions = (range: VersionRange) => (range.until === undefined ? `${range.from}+` : `${range.from}–${range.until}`);
const verifiedNote = (facts: readonly Fact[]) =>
  `Lockguard's test suite checks each fact above on real PostgreSQL servers of every version in its range (13–18 installed): ` +
  `the statement runs in a rolled-back transaction, \`pg_locks\` must show the lock and a second session measures which ` +
  `reads and writes are blocked; a failure fact must raise its SQLSTATE (${facts.length} fact${facts.length === 1 ? '' : 's'}).`;
