import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/lsp-client';
import { GitRepo } from './git-repo';
import { scratchDirectory } from './run-cli';

const ACTION = readFileSync(join(PROJECT_ROOT, 'action.yml'), 'utf8');
const HOOKS = readFileSync(join(PROJECT_ROOT, '.pre-commit-hooks.yaml'), 'utf8');
const example = (name: string) => readFileSync(join(PROJECT_ROOT, 'examples', 'migrations', name), 'utf8');
const scratch = scratchDirectory('integrations');

/** A repository with lockguard in node_modules (a link to this checkout: nothing is fetched) and the example migrations 001 and 002 on main. */
function consumerProject(name: string): GitRepo {
  const repo = new GitRepo(join(scratch.root, name));
  mkdirSync(join(repo.root, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(PROJECT_ROOT, join(repo.root, 'node_modules', 'lockguard'));
  symlinkSync(join('..', 'lockguard', 'bin', 'lockguard.js'), join(repo.root, 'node_modules', '.bin', 'lockguard'));
  repo.write('.gitignore', 'node_modules/\n');
  repo.write('migrations/001_create_orders.sql', example('001_create_orders.sql'));
  repo.write('migrations/002_index_orders_by_customer.sql', example('002_index_orders_by_customer.sql'));
  repo.commit('migrations so far');
  return repo;
}

/** The `run:` script of the action's step, as GitHub runs a composite step with `shell: bash`. */
function actionScript(): string {
  const block = /^ {6}run: \|\n((?: {8}.*\n|\n)+)/m.exec(ACTION);
  expect(block, 'the action has a multi-line run: script').not.toBeNull();
  return block![1]!.replace(/^ {8}/gm, '');
}

function runAction(repo: GitRepo, inputs: Record<string, string>, env: Record<string, string> = {}) {
  const runnerTemp = join(repo.root, '..', `${repo.root.split('/').pop()}-runner-temp`);
  mkdirSync(runnerTemp, { recursive: true });
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', actionScript()], {
    cwd: repo.root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', npm_config_offline: 'true', RUNNER_TEMP: runnerTemp, ...env, ...inputs },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, sarif: () => JSON.parse(readFileSync(join(runnerTemp, 'lockguard.sarif'), 'utf8')) as Log };
}

/** The action's inputs as its step's environment, with each input's default. */
function defaultInputs(): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [, variable, input] of ACTION.matchAll(/^ {8}(LOCKGUARD_[A-Z_]+): \$\{\{ inputs\.([a-z-]+) \}\}$/gm)) {
    const declared = new RegExp(`^  ${input}:\\n(?: {4}.*\\n)*? {4}default: (.*)$`, 'm').exec(ACTION);
    expect(declared, `input ${input} is declared with a default`).not.toBeNull();
    inputs[variable!] = declared![1]!.replace(/^'(.*)'$/, '$1');
  }
  return inputs;
}

describe('the GitHub Action (action.yml)', () => {
  const repo = consumerProject('action');
  repo.git('switch', '--quiet', '-c', 'add-order-status');
  repo.write('migrations/003_order_status_in_transaction.sql', example('003_order_status_in_transaction.sql'));
  repo.commit('order status');
  repo.git('update-ref', 'refs/remotes/origin/main', 'main');

  it('passes every input to its script and uploads the SARIF it writes', () => {
    expect(Object.keys(defaultInputs()).sort()).toEqual(['LOCKGUARD_CHANGED_SINCE', 'LOCKGUARD_FAIL_ON', 'LOCKGUARD_PATHS', 'LOCKGUARD_SARIF', 'LOCKGUARD_VERSION']);
    expect(ACTION).toMatch(/uses: github\/codeql-action\/upload-sarif@v3\n\s+with:\n\s+sarif_file: \$\{\{ runner\.temp \}\}\/lockguard\.sarif/);
  });

  it("on a pull request annotates only the migrations it changes, fails on an error, and writes every migration's findings as SARIF", () => {
    const run = runAction(repo, defaultInputs(), { GITHUB_BASE_REF: 'main' });
    expect(run.code, run.stderr).toBe(1);
    const annotated = [...run.stdout.matchAll(/^::(error|warning|notice) file=([^,]+),/gm)].map((match) => match[2]);
    expect(annotated.length).toBeGreaterThan(0);
    expect(new Set(annotated)).toEqual(new Set(['migrations/003_order_status_in_transaction.sql']));
    const sarifFiles = new Set(run.sarif().runs[0]!.results!.map((result) => result.locations![0]!.physicalLocation!.artifactLocation!.uri));
    expect(sarifFiles).toContain('migrations/002_index_orders_by_customer.sql');
    expect(sarifFiles).toContain('migrations/003_order_status_in_transaction.sql');
  }, 90_000);

  it('lints every migration on a push (no base branch), and honours fail-on and sarif: false', () => {
    const run = runAction(repo, { ...defaultInputs(), LOCKGUARD_SARIF: 'false', LOCKGUARD_FAIL_ON: 'error' });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('file=migrations/002_index_orders_by_customer.sql');
    const withoutIncident = runAction(repo, { ...defaultInputs(), LOCKGUARD_PATHS: 'migrations/001_create_orders.sql', LOCKGUARD_SARIF: 'false' });
    expect(withoutIncident.code, withoutIncident.stderr).toBe(0);
  }, 90_000);
});

describe('the pre-commit hooks (.pre-commit-hooks.yaml)', () => {
  const hooks = [...HOOKS.matchAll(/^- id: (\S+)\n((?: {2}.*\n)+)/gm)].map(([, id, body]) => ({
    id: id!,
    entry: /^ {2}entry: (.*)$/m.exec(body!)![1]!,
    files: new RegExp(/^ {2}files: (.*)$/m.exec(body!)![1]!),
    language: /^ {2}language: (.*)$/m.exec(body!)![1]!,
  }));

  it('declares the installed hook and the project one, for .sql files', () => {
    expect(hooks.map((hook) => [hook.id, hook.language])).toEqual([
      ['lockguard', 'node'],
      ['lockguard-project', 'system'],
    ]);
    for (const hook of hooks) expect(hook.files.test('db/migrations/002_add_index.sql') && !hook.files.test('README.md')).toBe(true);
  });

  const repo = consumerProject('pre-commit');
  repo.write('migrations/003_order_status_in_transaction.sql', example('003_order_status_in_transaction.sql'));

  // pre-commit runs `entry` with the staged files its `files` pattern matches appended; the node hook's
  // `lockguard` is the package's bin on PATH, as in pre-commit's environment.
  it.each(hooks.map((hook) => [hook.id, hook] as const))('%s stops a commit that adds a dangerous migration and lets a safe one through', (_, hook) => {
    const run = (files: string[]) =>
      spawnSync('bash', ['-c', `${hook.entry} "$@"`, hook.id, ...files.filter((file) => hook.files.test(file))], {
        cwd: repo.root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', npm_config_offline: 'true', PATH: `${join(repo.root, 'node_modules', '.bin')}:${process.env.PATH}` },
      });
    const dangerous = run(['migrations/002_index_orders_by_customer.sql', '.gitignore']);
    expect(dangerous.status, dangerous.stderr).toBe(1);
    expect(dangerous.stdout).toContain('migrations/002_index_orders_by_customer.sql:2:1 error create-index-without-concurrently');
    const safe = run(['migrations/001_create_orders.sql']);
    expect(safe.status, safe.stderr).toBe(0);
  }, 90_000);
});
