import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globToRegExp } from '../../server/src/engine/config/glob';
import { parseProjectConfig } from '../../server/src/engine/config/project-config';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { ALL_RULES } from '../../server/src/engine/rules/registry';

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
        'unknown setting "colour" (known: pgVersion, transactionMode, rules, generatedMigrations, exclude)',
      ],
    });
    expect(parseProjectConfig('{ "pgVersion": 16, }', RULES)).toMatchObject({ ok: false, problems: [expect.stringMatching(/^it is not valid JSON/)] });
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
