import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PG_VERSION, SUPPORTED_PG_VERSIONS } from '../../server/src/engine/options';

// The migration checklist snippet, the grammar that highlights it, and the package.json entries that ship them.

const root = join(__dirname, '..', '..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}

interface GrammarRule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  patterns?: GrammarRule[];
  include?: string;
}

interface Grammar {
  scopeName: string;
  injectionSelector: string;
  patterns: GrammarRule[];
  repository: Record<string, GrammarRule>;
}

interface PackageJson {
  contributes: {
    commands: { command: string; title: string; category: string }[];
    configuration: { properties: Record<string, { type: string | string[]; default: unknown; minimum?: number; maximum?: number; enum?: (string | null)[]; markdownDescription?: string }> };
    snippets: { language: string; path: string }[];
    grammars: { scopeName: string; path: string; injectTo: string[] }[];
  };
}

const LOCK_MODES = ['ACCESS EXCLUSIVE', 'EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'SHARE', 'SHARE UPDATE EXCLUSIVE', 'ROW EXCLUSIVE', 'ROW SHARE', 'ACCESS SHARE'];
const HEADINGS = ['Estimated run time on production volume:', 'Lock analysis:', 'Rollback procedure:', 'Monitoring while it runs (run from another session):'];

const packageJson = readJson('package.json') as PackageJson;
const snippetPath = packageJson.contributes.snippets.find((entry) => entry.language === 'sql')?.path ?? 'snippets/sql.json';
const snippets = readJson(snippetPath) as Record<string, Snippet>;
const checklist = Object.values(snippets).find((snippet) => [snippet.prefix].flat().includes('migration-checklist'));
const grammarPath = packageJson.contributes.grammars.find((entry) => entry.scopeName === 'lockguard.checklist.injection')?.path ?? '';
const grammar = readJson(grammarPath) as Grammar;

/** Snippet syntax to the text a user gets by tabbing through: defaults, first choices, empty tab stops. */
function expandSnippet(body: string): string {
  let text = body;
  // Innermost first, so placeholders nested in defaults expand too.
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text
      .replace(/\$\{\d+:((?:[^${}\\]|\\.)*)\}/g, (_, fallback: string) => fallback)
      .replace(/\$\{\d+\|((?:[^,|\\]|\\.)*)[,|](?:[^|\\]|\\.)*\|?\}/g, (_, first: string) => first)
      .replace(/\$\{\d+\}|\$\d+/g, '');
  }
  return text.replace(/\\([$}\\,|])/g, '$1');
}

function choicesOf(body: string, tabStop: number): string[] {
  const found = new RegExp(`\\$\\{${tabStop}\\|((?:[^|\\\\]|\\\\.)*)\\|\\}`).exec(body);
  return found ? found[1]!.split(/(?<!\\),/).map((choice) => choice.replace(/\\(.)/g, '$1')) : [];
}

const rule = (name: string): GrammarRule => {
  const found = grammar.repository[name];
  if (!found) throw new Error(`grammar has no repository rule "${name}"`);
  return found;
};
const compile = (source: string | undefined): RegExp => {
  if (source === undefined) throw new Error('missing regex');
  return new RegExp(source);
};

const body = [checklist?.body ?? ''].flat().join('\n');
const expanded = expandSnippet(body);
const lines = expanded.split('\n');
const blockLines = lines.filter((line) => line.trim() !== '');
const monitoringSection = expanded.slice(expanded.indexOf('Monitoring while it runs'), expanded.indexOf('lockguard:end'));
const monitoringQueries = monitoringSection
  .split('\n')
  .slice(1)
  .filter((line) => !line.trim().startsWith('--'))
  .join('\n')
  .split(';')
  .map((query) => query.trim())
  .filter((query) => query !== '');

describe('migration checklist snippet', () => {
  it('is offered under the migration-checklist prefix', () => {
    expect(checklist).toBeDefined();
    expect(expanded).not.toMatch(/\$\{?\d/);
  });

  it('is one block comment between the lockguard:checklist and lockguard:end markers', () => {
    expect(blockLines[0]).toBe('/* lockguard:checklist');
    expect(blockLines.at(-1)).toBe('lockguard:end */');
    expect(expanded.split('lockguard:checklist')).toHaveLength(2);
    expect(expanded.split('lockguard:end')).toHaveLength(2);
    // PostgreSQL block comments nest: a stray /* or */ inside would end or extend the comment elsewhere.
    expect(expanded.split('/*')).toHaveLength(2);
    expect(expanded.split('*/')).toHaveLength(2);
  });

  it('has every section, in order, as a heading line', () => {
    const positions = HEADINGS.map((heading) => lines.findIndex((line) => line.trim() === heading));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('asks for table, rows, a run-time range and the lock mode with tab stops', () => {
    expect(body).toMatch(/\$\{1:table_name\}: \$\{2:[^}]*\} rows on production, estimate \$\{3:[^}]*\} to \$\{4:[^}]*\}/);
    expect(body).toContain('lockguard check');
    expect(choicesOf(body, 5)).toEqual(LOCK_MODES);
    expect(body).toMatch(/Lock analysis:\n\s+\$\{1:table_name\}: \$\{5\|/);
  });

  it('has the monitoring queries with the columns the incident review asked for', () => {
    for (const needle of [
      'pg_stat_progress_create_index',
      'phase',
      'blocks_done',
      'blocks_total',
      'tuples_done',
      'tuples_total',
      'relid::regclass',
      'pg_blocking_pids(pid)',
      'wait_event_type',
      'wait_event',
      'state',
      'now() - xact_start',
      'left(query, 80)',
      "current_setting('max_connections')",
    ]) {
      expect(monitoringSection).toContain(needle);
    }
    expect(monitoringQueries).toHaveLength(4);
    for (const query of monitoringQueries) expect(query).toMatch(/^SELECT\b[\s\S]*\bFROM pg_stat_(?:progress_create_index|activity)\b/);
  });

  it('leaves the queries unprefixed, so they paste straight into psql', () => {
    for (const line of lines.slice(1, -1)) expect(line).not.toMatch(/^\s*\*/);
  });
});

describe('checklist injection grammar', () => {
  it('is injected into SQL with priority, outside comments and strings', () => {
    expect(grammar.scopeName).toBe('lockguard.checklist.injection');
    expect(grammar.injectionSelector).toMatch(/^L:source\.sql\b/);
    expect(grammar.injectionSelector).toContain('-comment');
  });

  it('only uses regexes JavaScript can compile too', () => {
    const sources: string[] = [];
    const collect = (node: GrammarRule): void => {
      for (const source of [node.match, node.begin, node.end]) if (source !== undefined) sources.push(source);
      node.patterns?.forEach(collect);
    };
    grammar.patterns.forEach(collect);
    Object.values(grammar.repository).forEach(collect);
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      // Oniguruma-only syntax would compile differently (or not at all) in VS Code's engine than here.
      expect(source).not.toMatch(/\(\?[imx]+[):]|\\[AGhHzZ]|[*+?}]\+/);
      expect(() => new RegExp(source)).not.toThrow();
    }
  });

  it('opens and closes the block on the snippet markers', () => {
    const checklistRule = rule('checklist');
    expect(compile(checklistRule.begin).test(blockLines[0]!)).toBe(true);
    expect(compile(checklistRule.end).test(blockLines.at(-1)!)).toBe(true);
    expect(compile(checklistRule.end).test('/* lockguard:checklist')).toBe(false);
    expect(checklistRule.name).toMatch(/^comment\.block\./);
  });

  it('marks each heading line, and only those', () => {
    const heading = compile(rule('heading').match);
    const headingLines = lines.filter((line) => heading.test(line));
    expect(headingLines.map((line) => line.trim())).toEqual(HEADINGS);
    expect(JSON.stringify(rule('heading'))).toContain('markup.heading');
  });

  it('highlights every lock mode as a whole name', () => {
    const lockMode = new RegExp(compile(rule('lock-mode').match).source, 'g');
    for (const mode of LOCK_MODES) expect(`x ${mode} lock`.match(lockMode)).toEqual([mode]);
    expect('AccessExclusiveLock'.match(lockMode)).toEqual(['AccessExclusiveLock']);
    expect('shared exclusively'.match(lockMode)).toBeNull();
  });

  it('embeds SQL for each monitoring query, up to its semicolon', () => {
    const statement = rule('sql-statement');
    expect(statement.patterns).toContainEqual({ include: 'source.sql' });
    const begin = compile(statement.begin);
    const firstLines = lines.filter((line) => /^\s*SELECT\b/.test(line));
    expect(firstLines).toHaveLength(monitoringQueries.length);
    for (const line of firstLines) expect(begin.test(line)).toBe(true);
    for (const nonQuery of HEADINGS) expect(begin.test(nonQuery)).toBe(false);
    expect(compile(statement.end).exec('  FROM pg_stat_activity;')?.[1]).toBe(';');
  });
});

describe('package.json contributions', () => {
  const contributes = packageJson.contributes;

  it('point to files that exist', () => {
    const paths = [...contributes.snippets.map((entry) => entry.path), ...contributes.grammars.map((entry) => entry.path)];
    expect(paths.length).toBeGreaterThanOrEqual(2);
    for (const path of paths) expect(existsSync(join(root, path)), path).toBe(true);
    expect(contributes.grammars[0]?.injectTo).toContain('source.sql');
  });

  it('contribute commands that the client registers', () => {
    const clientSources = readdirSync(join(root, 'client', 'src'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(root, 'client', 'src', file), 'utf8'))
      .join('\n');
    expect(contributes.commands.map((command) => command.command).sort()).toEqual(['lockguard.checkMigration', 'lockguard.forgetStagingPassword', 'lockguard.restartServer', 'lockguard.showOutput']);
    for (const { command, category } of contributes.commands) {
      expect(category).toBe('Lockguard');
      expect(clientSources).toContain(`'${command}'`);
    }
    expect(clientSources).toContain('registerCommand');
  });

  it('declare settings that agree with the engine', () => {
    const settings = contributes.configuration.properties;
    // Unset by default, so the project's lockguard.json (or the engine's default) decides.
    expect(settings['lockguard.pgVersion']).toMatchObject({ default: null, minimum: SUPPORTED_PG_VERSIONS.min, maximum: SUPPORTED_PG_VERSIONS.max });
    expect(settings['lockguard.pgVersion']!.markdownDescription).toContain(String(DEFAULT_PG_VERSION));
    expect(settings['lockguard.enable']).toMatchObject({ type: 'boolean', default: true });
    expect(settings['lockguard.trace.server']).toMatchObject({ default: 'off', enum: ['off', 'messages', 'verbose'] });
  });
});
