import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/lsp-client';
import { GitRepo } from './git-repo';
import { LOCKGUARD_BIN, scratchDirectory } from './run-cli';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const WORKFLOW = readFileSync(join(EXAMPLES, 'ci', 'github-workflow.yml'), 'utf8');
const example = (name: string) => readFileSync(join(EXAMPLES, 'migrations', name), 'utf8');
const scratch = scratchDirectory('ci-examples');

/**
 * A project that uses lockguard as the README says: installed in node_modules (a link to this
 * checkout, so `npx lockguard` runs the build under test and never asks the registry), with the
 * example migrations: 001 and 002 on main, 003 added by a pull request's branch.
 */
function consumerProject(name: string): GitRepo {
  const repo = new GitRepo(join(scratch.root, name));
  mkdirSync(join(repo.root, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(PROJECT_ROOT, join(repo.root, 'node_modules', 'lockguard'));
  symlinkSync(join('..', 'lockguard', 'bin', 'lockguard.js'), join(repo.root, 'node_modules', '.bin', 'lockguard'));
  expect(realpathSync(join(repo.root, 'node_modules', '.bin', 'lockguard'))).toBe(realpathSync(LOCKGUARD_BIN));
  repo.write('.gitignore', 'node_modules/\n');
  repo.write('migrations/001_create_orders.sql', example('001_create_orders.sql'));
  repo.write('migrations/002_index_orders_by_customer.sql', example('002_index_orders_by_customer.sql'));
  repo.commit('migrations so far');
  return repo;
}

/** Runs a shell command as GitHub's `run:` does (bash -e), offline so npx cannot fetch anything. */
function sh(command: string, cwd: string) {
  const result = spawnSync('bash', ['-e', '-c', command], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_offline: 'true' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the GitHub Actions workflow in examples/ci (and docs/ci.md)', () => {
  const commands = [...WORKFLOW.matchAll(/^\s+run: (npx lockguard lint .*)$/gm)].map((match) => match[1]!);
  // What GitHub substitutes before the shell sees the command: the pull request's base branch.
  const asGithubRuns = (command: string) => command.replace(/\$\{\{\s*github\.base_ref\s*\}\}/g, 'main');

  const repo = consumerProject('workflow');
  repo.git('switch', '--quiet', '-c', 'add-order-status');
  repo.write('migrations/003_order_status_in_transaction.sql', example('003_order_status_in_transaction.sql'));
  repo.commit('order status');
  // actions/checkout with fetch-depth: 0 leaves the base branch as origin/<base>.
  repo.git('update-ref', 'refs/remotes/origin/main', 'main');

  it('is the command docs/ci.md documents, and the workflow checks out full history for it', () => {
    expect(commands).toContain('npx lockguard lint --format github --changed-since origin/${{ github.base_ref }} migrations/');
    expect(WORKFLOW).toMatch(/fetch-depth: 0/);
    expect(readFileSync(join(PROJECT_ROOT, 'docs', 'ci.md'), 'utf8')).toContain(WORKFLOW.trim());
  });

  it('annotates only the migration the pull request adds, and fails the check on its error', () => {
    const command = asGithubRuns(commands.find((candidate) => candidate.includes('--format github'))!);
    expect(command).not.toContain('${{');
    const { code, stdout, stderr } = sh(command, repo.root);
    expect(code, stderr).toBe(1);
    const annotations = stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations.length).toBeGreaterThan(0);
    expect(annotations.every((line) => line.includes('file=migrations/003_order_status_in_transaction.sql,'))).toBe(true);
    expect(annotations).toContainEqual(expect.stringMatching(/^::error file=migrations\/003_order_status_in_transaction\.sql,line=5,col=1,.*title=lockguard create-index-without-concurrently::/));
  });

  it('writes a SARIF log of every migration for the upload step, without failing the job', () => {
    const { code, stderr } = sh(asGithubRuns(commands.find((candidate) => candidate.includes('--format sarif'))!), repo.root);
    expect(code, stderr).toBe(0);
    const log = JSON.parse(readFileSync(join(repo.root, 'lockguard.sarif'), 'utf8')) as Log;
    const files = new Set(log.runs[0]!.results!.map((result) => result.locations![0]!.physicalLocation!.artifactLocation!.uri));
    expect([...files].sort()).toEqual(['migrations/002_index_orders_by_customer.sql', 'migrations/003_order_status_in_transaction.sql']);
    expect(WORKFLOW).toMatch(/sarif_file: lockguard\.sarif/);
  });
});

describe('the git pre-commit hook in examples/ci', () => {
  const repo = consumerProject('hook');
  const hook = join(repo.root, '.git', 'hooks', 'pre-commit');
  copyFileSync(join(EXAMPLES, 'ci', 'pre-commit-hook.sh'), hook);
  chmodSync(hook, 0o755);
  const commit = (message: string) => sh(`git commit --quiet -m "${message}"`, repo.root);

  it('stops a commit that adds a migration with an error, and shows why', () => {
    repo.write('migrations/003_order_status_in_transaction.sql', example('003_order_status_in_transaction.sql'));
    repo.git('add', 'migrations/003_order_status_in_transaction.sql');
    const { code, stderr } = commit('add order status');
    expect(code).not.toBe(0);
    // git shows a hook's output on stderr.
    expect(stderr).toContain('migrations/003_order_status_in_transaction.sql:5:1 error create-index-without-concurrently');
    expect(repo.git('log', '--format=%s')).not.toContain('add order status');
  });

  it('lets a safe migration through, and a commit without SQL files', () => {
    repo.write('migrations/003_order_status_in_transaction.sql', 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n');
    repo.git('add', '--all');
    expect(commit('add order status safely').code).toBe(0);
    repo.write('NOTES.md', 'no SQL here\n');
    repo.git('add', 'NOTES.md');
    expect(commit('notes').code).toBe(0);
    expect(repo.git('log', '--format=%s').split('\n').slice(0, 2)).toEqual(['notes', 'add order status safely']);
  });
});
