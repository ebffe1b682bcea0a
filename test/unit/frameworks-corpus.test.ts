/**
 * The migration model on real projects' migrations (../shared/corpus/frameworks, one folder per
 * project, MANIFEST.tsv naming its framework): every migration file is recognised as its framework,
 * and the sections that run on apply are told from those that do not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { CORPUS, HAS_CORPUS, frameworkProjects } from '../helpers/corpus';
import { sqlFiles } from '../helpers/sql-files';

const FRAMEWORKS = join(CORPUS, 'frameworks');
const linter = await Linter.create();

/** MANIFEST.tsv's framework names, as Lockguard's framework ids. */
const FRAMEWORK_IDS: Readonly<Record<string, string>> = { 'supabase-cli': 'supabase' };

/** Files of the snapshots that are not migrations: graphile-migrate's afterReset hook, the Supabase CLI's seed data. */
const NOT_MIGRATIONS = /(^|\/)(afterReset|seed)\.sql$/;

const projects = frameworkProjects().map(({ folder, framework }) => ({ folder, framework: FRAMEWORK_IDS[framework] ?? framework }));

function analyse(path: string) {
  const readSibling = (name: string) => {
    const sibling = join(dirname(path), name);
    return existsSync(sibling) ? readFileSync(sibling, 'utf8') : undefined;
  };
  return linter.lint(readFileSync(path, 'utf8'), { filePath: relative(FRAMEWORKS, path), readSibling });
}

describe.each(projects)('$folder ($framework)', ({ folder, framework }) => {
  const files = sqlFiles(join(FRAMEWORKS, folder)).filter((path) => !NOT_MIGRATIONS.test(path));

  it(`recognises every migration as ${framework}`, () => {
    const unrecognised = files.filter((path) => analyse(path).migration?.framework?.id !== framework).map((path) => relative(FRAMEWORKS, path));
    expect(unrecognised).toEqual([]);
  });

  it('runs no rule but the syntax check on statements that do not run on apply', () => {
    for (const path of files) {
      const { statements, findings } = analyse(path);
      const notApplied = new Set(statements.filter((statement) => statement.section !== 'up').map((statement) => statement.index));
      expect(findings.filter((finding) => notApplied.has(finding.statementIndex) && finding.ruleId !== 'syntax-error' && finding.ruleId !== 'unused-suppression')).toEqual([]);
    }
  });
});

describe.skipIf(!HAS_CORPUS)('what the real files say', () => {
  const sectionsOf = (path: string) => [...new Set(analyse(join(FRAMEWORKS, path)).statements.map((statement) => `${statement.section} ${statement.transaction.kind}`))];

  it('goose: the Up section in the transaction, the Down section not applied', () => {
    expect(sectionsOf('goose-thunderdome/internal/db/migrations/20250814000737_create_project_item_table.sql')).toEqual(['up implicit', 'down implicit']);
  });

  it('sql-migrate: `-- +migrate Up notransaction` runs statement by statement', () => {
    const files = sqlFiles(join(FRAMEWORKS, 'sql-migrate-goalert')).filter((path) => /^-- \+migrate Up notransaction/m.test(readFileSync(path, 'utf8')));
    expect(files.length).toBeGreaterThan(0);
    for (const path of files) expect(sectionsOf(relative(FRAMEWORKS, path))[0]).toBe('up autocommit');
  });

  it('Atlas: `-- atlas:txmode none` files run statement by statement, the others in a transaction', () => {
    const files = sqlFiles(join(FRAMEWORKS, 'atlas-gram'));
    const none = files.filter((path) => /^-- atlas:txmode none/m.test(readFileSync(path, 'utf8')));
    expect(none.length).toBeGreaterThan(100);
    for (const path of none) expect(sectionsOf(relative(FRAMEWORKS, path))).not.toContain('up implicit');
  });

  it('sqitch: verify scripts are not part of the migration', () => {
    const verify = sqlFiles(join(FRAMEWORKS, 'sqitch-registry/sql/verify'));
    expect(verify.length).toBeGreaterThan(0);
    for (const path of verify) expect(analyse(path).statements.every((statement) => statement.section === 'verify')).toBe(true);
  });
});
