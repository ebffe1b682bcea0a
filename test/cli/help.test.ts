import { describe, expect, it } from 'vitest';
import { nearestName } from '../../server/src/cli/arguments';
import { COMMAND_NAMES, COMMANDS } from '../../server/src/cli/commands';
import { renderRuleDoc } from '../../server/src/engine/rules/render-docs';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import { lockguard } from './run-cli';

describe('lockguard help', () => {
  it('lists every command with its summary', () => {
    const run = lockguard(['help']);
    expect(run.code).toBe(0);
    for (const name of COMMAND_NAMES) expect(run.stdout).toMatch(new RegExp(`^  ${name} +${COMMANDS[name].summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(lockguard(['--help']).stdout).toBe(run.stdout);
  }, 60_000);

  it('with no command prints the overview on stderr and exits 2', () => {
    expect(lockguard([])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('Usage: lockguard COMMAND [options]') });
  });

  it.each([['lint'], ['check'], ['rules'], ['stats'], ['lsp']])('`%s --help`, `%s -h` and `help %s` print usage, every option and examples, and exit 0', (command) => {
    const long = lockguard([command, '--help']);
    expect(long).toMatchObject({ code: 0, stderr: '' });
    expect(long.stdout).toMatch(new RegExp(`^Usage: lockguard ${command}`));
    for (const option of Object.keys(COMMANDS[command as keyof typeof COMMANDS].options)) expect(long.stdout).toMatch(new RegExp(`^  (-\\w, )?--${option}\\b`, 'm'));
    expect(long.stdout).toMatch(/\nExamples:\n {2}lockguard /);
    expect(long.stdout.split('\n').every((line) => line.length <= 100)).toBe(true);
    expect(lockguard([command, '-h']).stdout).toBe(long.stdout);
    expect(lockguard(['help', command]).stdout).toBe(long.stdout);
  }, 60_000);

  it('--help wins over the rest of the line, even a wrong option', () => {
    expect(lockguard(['lint', '--formt', 'x', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: lockguard lint/) });
  });

  it('lint --help documents --fix and --fix-dry-run; both at once is a usage error', () => {
    expect(lockguard(['lint', '--help']).stdout).toMatch(/--fix +apply each finding's preferred fix/);
    expect(lockguard(['lint', '--help']).stdout).toMatch(/--fix-dry-run +print the changes --fix would make/);
    expect(lockguard(['lint', '--fix', '--fix-dry-run', 'examples/migrations'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('not both') });
  });
});

describe('mistyped options and commands name the nearest valid one', () => {
  it.each([
    [['lint', '--formt', 'json', 'x.sql'], '`lockguard lint` has no option --formt — did you mean --format?'],
    [['lint', '--changed', 'main', 'x.sql'], 'did you mean --changed-since?'],
    [['check', '--lock-timout', '10', 'x.sql'], 'did you mean --lock-timeout?'],
    [['lint', '--fial-on=warning', 'x.sql'], 'did you mean --fail-on?'],
    [['lnt', 'x.sql'], 'unknown command "lnt" — did you mean `lockguard lint`?'],
    [['lint', '--format'], '--format needs a value: --format F.'],
  ])('%j', (args, message) => {
    const run = lockguard(args);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain(message);
  });

  it('suggests nothing for an option far from every name', () => {
    expect(nearestName('--zzzzzzzz', Object.keys(COMMANDS.lint.options))).toBeUndefined();
    expect(lockguard(['lint', '--zzzzzzzz', 'x.sql']).stderr).toContain('has no option --zzzzzzzz. (`lockguard lint --help` lists them)');
  });
});

describe('lockguard rules', () => {
  it('lists every rule with its severity, default and summary', () => {
    const run = lockguard(['rules']);
    expect(run.code).toBe(0);
    for (const rule of ALL_RULES) {
      expect(run.stdout).toMatch(new RegExp(`^${rule.id} +${rule.severity} +${rule.defaultSetting ?? 'on'} +`, 'm'));
    }
    expect(run.stdout).toContain(`${ALL_RULES.length} rules.`);
  });

  it('filters by a word, severity and default', () => {
    const listed = (args: string[]) => [...lockguard(['rules', ...args]).stdout.matchAll(/^([a-z0-9-]+) +(error|warning|info) +(on|off) /gm)].map((match) => match[1]);
    const byWord = ALL_RULES.filter((rule) => `${rule.id} ${rule.docs.summary}`.toLowerCase().includes('trigger')).map((rule) => rule.id);
    expect(byWord.length).toBeGreaterThan(0);
    expect(listed(['trigger'])).toEqual(byWord);
    expect(listed(['--severity', 'warning'])).toEqual(ALL_RULES.filter((rule) => rule.severity === 'warning').map((rule) => rule.id));
    expect(listed(['--default', 'on', '--severity', 'error'])).toEqual(ALL_RULES.filter((rule) => rule.severity === 'error' && rule.defaultSetting !== 'off').map((rule) => rule.id));
  }, 60_000);

  it('shows each rule\'s category, filters by it, and lists the rules as JSON', () => {
    const run = lockguard(['rules']);
    for (const rule of ALL_RULES) expect(run.stdout).toMatch(new RegExp(`^${rule.id} +${rule.severity} +(on|off) +${rule.category} +`, 'm'));
    const json = lockguard(['rules', '--format', 'json']);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { id: string; severity: string; default: string; category: string; summary: string; docs: string }[];
    expect(listed.map(({ id, severity, category }) => ({ id, severity, category }))).toEqual(ALL_RULES.map(({ id, severity, category }) => ({ id, severity, category })));
    expect(listed[0]).toEqual({ id: 'syntax-error', severity: 'error', default: 'on', category: 'hygiene', summary: ALL_RULES[0]!.docs.summary, docs: expect.stringMatching(/\/docs\/rules\/syntax-error\.md$/) });
    const style = JSON.parse(lockguard(['rules', '--category', 'style', '--format', 'json']).stdout) as { id: string }[];
    expect(style.map((entry) => entry.id)).toEqual(ALL_RULES.filter((rule) => rule.category === 'style').map((rule) => rule.id));
    expect(style.length).toBeGreaterThan(0);
    expect(JSON.parse(lockguard(['rules', 'drop-table', '--format', 'json']).stdout)).toMatchObject([{ id: 'drop-table', category: 'breaking-changes' }]);
    expect(lockguard(['rules', '--category', 'lock'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--category lock: use locks, rewrites, breaking-changes, transactions, hygiene, style. Did you mean locks?') });
  }, 60_000);

  it("prints one rule's documentation for the terminal: no Markdown markup, tables as lines", () => {
    const rule = ALL_RULES.find((candidate) => candidate.id === 'create-index-without-concurrently')!;
    const run = lockguard(['rules', rule.id]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^create-index-without-concurrently\n\nSeverity: error · /);
    expect(run.stdout).toContain(`    ${rule.docs.example.bad.split('\n')[0]}`);
    expect(run.stdout).toMatch(/^- Statement: `CREATE \[UNIQUE\] INDEX … ON table`\n {2}Lock: SHARE\n/m);
    expect(run.stdout).not.toMatch(/^#|```|\*\*|^\|/m);
    // Every paragraph of the Markdown page is there.
    expect(renderRuleDoc(rule)).toContain(rule.docs.why);
    expect(run.stdout).toContain(rule.docs.why.split('\n')[0]!.replace(/\*\*/g, ''));
  });

  it('an unknown id suggests the nearest and exits 1', () => {
    expect(lockguard(['rules', 'create-index-without-concurrenty'])).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('did you mean create-index-without-concurrently?') });
    expect(lockguard(['rules', '--severity', 'fatal'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--severity fatal: use error, warning, info.') });
  });
});
