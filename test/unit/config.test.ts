import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globToRegExp } from '../../server/src/engine/config/glob';
import { parseProjectConfig } from '../../server/src/engine/config/project-config';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import { lint } from '../helpers/lint';

const RULES = ALL_RULES.map((rule) => rule.id);
const root = mkdtempSync(join(tmpdir(), 'lockguard-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string, config: unknown): string {
  const directory = join(root, name);
  mkdirSync(join(directory, 'db', 'migrations', 'legacy'), { recursive: true });
  writeFileSync(join(directory, 'lockguard.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return directory;
}

describe('lockguard.json', () => {
  it('accepts every documented setting', () => {
    const config = { $schema: './lockguard.schema.json', pgVersion: 16, transactionMode: 'never', rules: { 'create-index-without-concurrently': 'warning' }, exclude: ['legacy/**'] };
    expect(parseProjectConfig(JSON.stringify(config), RULES)).toEqual({ ok: true, config: { pgVersion: 16, transactionMode: 'never', rules: { 'create-index-without-concurrently': 'warning' }, exclude: ['legacy/**'] } });
  });

  it('explains every problem, with a suggestion for misspelt rules', () => {
    const result = parseProjectConfig(
      JSON.stringify({ pgVersion: 9, transactionMode: 'sometimes', rules: { 'create-index-without-concurency': 'off', 'syntax-error': 'loud' }, generatedMigrations: { styleRules: true }, colour: true }),
      RULES,
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        '"pgVersion" must be a PostgreSQL major version from 10 to 18, not 9',
        '"transactionMode" must be one of "auto", "always", "never", not "sometimes"',
        '"rules" names "create-index-without-concurency", which is not a Lockguard rule (did you mean "create-index-without-concurrently"?)',
        '"rules.syntax-error" must be "error", "warning", "info" or "off", not "loud"',
        '"generatedMigrations" must be { "styleRules": "on" } or { "styleRules": "off" } (whether the type-style rules check SQL that Prisma, Drizzle or supabase db diff generated), not {"styleRules":true}',
        'unknown setting "colour" (known: pgVersion, transactionMode, rules, categories, generatedMigrations, exclude)',
      ],
    });
    expect(parseProjectConfig('{ "pgVersion": 16, }', RULES)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^it is not valid JSON/)] });
  });
});

describe('lockguard.json categories', () => {
  it('accepts a setting per category, and explains an unknown category or setting', () => {
    expect(parseProjectConfig(JSON.stringify({ categories: { style: 'off', locks: 'warning' } }), RULES)).toEqual({ ok: true, config: { categories: { style: 'off', locks: 'warning' } } });
    expect(parseProjectConfig(JSON.stringify({ categories: { styles: 'off', 'breaking-changes': 'loud' } }), RULES)).toEqual({
      ok: false,
      problems: [
        '"categories" names "styles", which is not a rule category (did you mean "style"?); the categories are "locks", "rewrites", "breaking-changes", "transactions", "hygiene", "style"',
        '"categories.breaking-changes" must be "error", "warning", "info" or "off", not "loud"',
      ],
    });
    expect(parseProjectConfig(JSON.stringify({ categories: ['style'] }), RULES)).toMatchObject({ ok: false, problems: [expect.stringContaining('"categories" must map rule categories')] });
  });

  // A table with a timestamp column (style: prefer-timestamptz) and an index built on an existing table (locks).
  const MIGRATION = 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamp);\nCREATE INDEX orders_total_idx ON orders (total);\n';
  const findings = (config: unknown, overrides = {}) => {
    const directory = project(`categories-${JSON.stringify(config).replace(/\W+/g, '-')}`, config);
    const { options } = new ConfigResolver(RULES, overrides).forFile(join(directory, 'db', 'migrations', '001.sql'));
    return lint(MIGRATION, options).map((finding) => `${finding.ruleId} ${finding.severity}`);
  };

  it('turns a category off, or sets the severity of its rules', () => {
    expect(findings({})).toEqual(expect.arrayContaining(['prefer-timestamptz info', 'create-index-without-concurrently error']));
    expect(findings({ categories: { style: 'off' } }).filter((finding) => finding.startsWith('prefer-'))).toEqual([]);
    expect(findings({ categories: { style: 'off' } })).toContain('create-index-without-concurrently error');
    expect(findings({ categories: { locks: 'warning' } })).toEqual(expect.arrayContaining(['prefer-timestamptz info', 'create-index-without-concurrently warning']));
  });

  it("lets a rule's own setting win over its category's, and the editor's over both", () => {
    expect(findings({ categories: { style: 'off' }, rules: { 'prefer-timestamptz': 'warning' } })).toContain('prefer-timestamptz warning');
    expect(findings({ categories: { locks: 'off' }, rules: { 'create-index-without-concurrently': 'error' } })).toContain('create-index-without-concurrently error');
    expect(findings({ categories: { style: 'warning' } }, { rules: { 'prefer-timestamptz': 'off' } })).not.toContain('prefer-timestamptz warning');
  });

  it('a severity turns on the rules of the category that are off by default', () => {
    const offByDefault = ALL_RULES.filter((rule) => rule.defaultSetting === 'off');
    expect(offByDefault.map((rule) => rule.category)).toContain('hygiene');
    const directory = project('categories-on', { categories: { hygiene: 'warning' } });
    const { options } = new ConfigResolver(RULES).forFile(join(directory, 'db', 'migrations', '001.sql'));
    for (const rule of offByDefault.filter((candidate) => candidate.category === 'hygiene')) expect(options.rules?.[rule.id]).toBe('warning');
  });
});

describe('ConfigResolver', () => {
  it('passes generatedMigrations on, the editor\'s over the project file\'s', () => {
    const directory = project('generated', { generatedMigrations: { styleRules: 'on' } });
    const file = join(directory, 'db', 'migrations', '001.sql');
    expect(new ConfigResolver(RULES).forFile(file).options.generatedMigrations).toEqual({ styleRules: 'on' });
    expect(new ConfigResolver(RULES, { generatedMigrations: { styleRules: 'off' } }).forFile(file).options.generatedMigrations).toEqual({ styleRules: 'off' });
    expect(new ConfigResolver(RULES).forFile(join(project('no-generated', {}), '001.sql')).options).not.toHaveProperty('generatedMigrations');
  });

  it('finds the nearest lockguard.json above the file and applies it', () => {
    const directory = project('nearest', { pgVersion: 12, rules: { 'syntax-error': 'warning' } });
    const settings = new ConfigResolver(RULES).forFile(join(directory, 'db', 'migrations', '001.sql'));
    expect(settings).toMatchObject({ configPath: join(directory, 'lockguard.json'), excluded: false, problems: [], options: { pgVersion: 12, rules: { 'syntax-error': 'warning' } } });
    expect(settings.options.filePath).toBe(join(directory, 'db', 'migrations', '001.sql'));
  });

  it('excludes files matching the patterns, relative to the project file', () => {
    const directory = project('excludes', { exclude: ['db/migrations/legacy/**', '*.down.sql'] });
    const resolver = new ConfigResolver(RULES);
    expect(resolver.forFile(join(directory, 'db', 'migrations', 'legacy', '001.sql')).excluded).toBe(true);
    expect(resolver.forFile(join(directory, 'db', 'migrations', '002.down.sql')).excluded).toBe(true);
    expect(resolver.forFile(join(directory, 'db', 'migrations', '002.up.sql')).excluded).toBe(false);
  });

  it('layers editor overrides over the file, rule by rule', () => {
    const directory = project('overrides', { pgVersion: 12, rules: { 'syntax-error': 'warning', 'unused-suppression': 'info' } });
    const resolver = new ConfigResolver(RULES, { pgVersion: 17, rules: { 'syntax-error': 'off' }, exclude: ['legacy/'] });
    const settings = resolver.forFile(join(directory, 'db', 'migrations', '001.sql'));
    expect(settings.options).toMatchObject({ pgVersion: 17, rules: { 'syntax-error': 'off', 'unused-suppression': 'info' } });
    expect(resolver.forFile(join(directory, 'db', 'migrations', 'legacy', '001.sql')).excluded).toBe(true);
  });

  it('re-reads the file when it changes on disk, and reports a broken file instead of using it', () => {
    const directory = project('changes', { pgVersion: 12 });
    const file = join(directory, 'db', 'migrations', '001.sql');
    const resolver = new ConfigResolver(RULES);
    expect(resolver.forFile(file).options.pgVersion).toBe(12);
    writeFileSync(join(directory, 'lockguard.json'), JSON.stringify({ pgVersion: 14 }));
    utimesSync(join(directory, 'lockguard.json'), new Date(), new Date(Date.now() + 5_000));
    expect(resolver.forFile(file).options.pgVersion).toBe(14);
    writeFileSync(join(directory, 'lockguard.json'), '{ "pgVersion": "fourteen" }');
    utimesSync(join(directory, 'lockguard.json'), new Date(), new Date(Date.now() + 10_000));
    const broken = resolver.forFile(file);
    expect(broken.options.pgVersion).toBeUndefined();
    expect(broken.problems).toEqual([`${join(directory, 'lockguard.json')}: "pgVersion" must be a PostgreSQL major version from 10 to 18, not "fourteen"`]);
  });

  it('works without any project file', () => {
    const directory = mkdtempSync(join(root, 'none-'));
    expect(new ConfigResolver(RULES).forFile(join(directory, 'x.sql'))).toMatchObject({ configPath: undefined, excluded: false, problems: [] });
  });
});

describe('globs', () => {
  it.each([
    ['legacy/**', 'legacy/a/b.sql', true],
    ['legacy/**', 'db/legacy/b.sql', false],
    ['**/legacy/**', 'db/legacy/b.sql', true],
    ['*.down.sql', 'db/x/001.down.sql', true],
    ['db/*.sql', 'db/x/001.sql', false],
    ['db/{a,b}/*.sql', 'db/b/1.sql', true],
    ['legacy', 'legacy/1.sql', true],
    ['0?1.sql', '001.sql', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(globToRegExp(pattern).test(path)).toBe(expected);
  });
});
