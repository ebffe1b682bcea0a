import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockguard, scratchDirectory } from './run-cli';
import { GitRepo } from './git-repo';

const CLEAN = 'CREATE TABLE t (id bigint PRIMARY KEY);\n';
const BLOCKING = (table: string) => `CREATE INDEX ${table}_a_idx ON ${table} (a);\n`;

const scratch = scratchDirectory('changed-since');
const repo = new GitRepo(join(scratch.root, 'repo'));
// main: what the pull request's base already has.
repo.write('migrations/001_create.sql', CLEAN);
repo.write('migrations/004_unchanged.sql', BLOCKING('unchanged'));
repo.write('migrations/005_old.sql', BLOCKING('old'));
repo.write('migrations/008_gone.sql', BLOCKING('gone'));
repo.commit('base');
// The pull request's branch: one migration added, one modified, one renamed, one deleted, a SQL file outside migrations/.
repo.git('switch', '--quiet', '-c', 'feature');
repo.write('migrations/002_added.sql', BLOCKING('added'));
repo.write('migrations/001_create.sql', `${CLEAN}${BLOCKING('orders')}`);
repo.git('mv', 'migrations/005_old.sql', 'migrations/006_renamed.sql');
repo.remove('migrations/008_gone.sql');
repo.write('scripts/report.sql', BLOCKING('report'));
repo.commit('feature');
// main moves on after the branch point: its new migration is not the pull request's change.
repo.git('switch', '--quiet', 'main');
repo.write('migrations/007_on_main.sql', BLOCKING('on_main'));
repo.commit('main moves on');
repo.git('update-ref', 'refs/remotes/origin/main', 'main');
repo.git('switch', '--quiet', 'feature');
// Not committed yet: an untracked migration in progress.
repo.write('migrations/009_wip.sql', BLOCKING('wip'));

const lint = (...args: string[]) => lockguard(['lint', ...args], { cwd: repo.root });
const flaggedFiles = (stdout: string) => [...new Set((JSON.parse(stdout) as { file: string }[]).map((finding) => finding.file))].sort();

describe('lockguard lint --changed-since', () => {
  it('lints the files under PATH added or modified since the merge base with the ref, renamed and untracked ones included', () => {
    const { code, stdout, stderr } = lint('--format', 'json', '--changed-since', 'origin/main', 'migrations/');
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(flaggedFiles(stdout)).toEqual(['migrations/001_create.sql', 'migrations/002_added.sql', 'migrations/006_renamed.sql', 'migrations/009_wip.sql']);
    // Without the option, the unchanged migration is linted too.
    expect(flaggedFiles(lint('--format', 'json', 'migrations/').stdout)).toEqual([
      'migrations/001_create.sql',
      'migrations/002_added.sql',
      'migrations/004_unchanged.sql',
      'migrations/006_renamed.sql',
      'migrations/009_wip.sql',
    ]);
    expect(flaggedFiles(lint('--format', 'json', '--changed-since', 'feature', '.').stdout)).toEqual(['migrations/009_wip.sql']);
  });

  it('keeps to the paths given, and works from a subdirectory', () => {
    expect(flaggedFiles(lint('--format', 'json', '--changed-since', 'main', 'scripts', 'migrations/00[12]*.sql').stdout)).toEqual([
      'migrations/001_create.sql',
      'migrations/002_added.sql',
      'scripts/report.sql',
    ]);
    const inside = lockguard(['lint', '--format', 'json', '--changed-since', 'main', '.'], { cwd: join(repo.root, 'scripts') });
    expect(flaggedFiles(inside.stdout)).toEqual(['report.sql']);
  });

  it('with nothing changed, says so and exits 0 with an empty report in every format', () => {
    repo.git('stash', 'push', '--quiet', '--include-untracked');
    try {
      const text = lint('--changed-since', 'HEAD', 'migrations/');
      expect(text).toMatchObject({ code: 0, stderr: 'lockguard: no .sql file in migrations/ was added or changed since HEAD: nothing to lint.\n' });
      expect(JSON.parse(lint('--format', 'gitlab', '--changed-since', 'HEAD', 'migrations/').stdout)).toEqual([]);
      expect(JSON.parse(lint('--format', 'sarif', '--changed-since', 'HEAD', 'migrations/').stdout).runs[0].results).toEqual([]);
    } finally {
      repo.git('stash', 'pop', '--quiet');
    }
  });

  describe('exits 2 with what to do', () => {
    it('when the ref is unknown (e.g. not fetched in a shallow CI checkout)', () => {
      const { code, stderr, stdout } = lint('--changed-since', 'origin/nope', 'migrations/');
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain('unknown git ref "origin/nope" for --changed-since. Fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0)');
    });

    it('when the ref looks like an option', () => {
      expect(lint('--changed-since=--output=x', 'migrations/')).toMatchObject({ code: 2, stderr: expect.stringContaining('--changed-since needs a git ref such as origin/main, not "--output=x"') });
    });

    it('when the working directory is not in a git repository', () => {
      scratch.write('not-a-repo/m.sql', CLEAN);
      const { code, stderr } = lockguard(['lint', '--changed-since', 'main', 'm.sql'], { cwd: join(scratch.root, 'not-a-repo'), env: { GIT_CEILING_DIRECTORIES: scratch.root } });
      expect(code).toBe(2);
      expect(stderr).toMatch(/--changed-since needs a git repository, but .*not-a-repo is not inside one \(git: fatal: not a git repository/);
    });

    it('when the ref shares no history with HEAD', () => {
      repo.git('switch', '--quiet', '--orphan', 'unrelated');
      repo.write('u.sql', CLEAN);
      repo.commit('unrelated history');
      try {
        expect(lint('--changed-since', 'main', 'u.sql')).toMatchObject({ code: 2, stderr: expect.stringContaining('"main" and HEAD have no common ancestor') });
      } finally {
        repo.git('switch', '--quiet', '--force', 'feature');
      }
    });
  });
});
