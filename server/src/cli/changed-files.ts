import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './usage';

/**
 * The files added or modified since `ref`, as real absolute paths: what a pull request changes
 * (committed, measured from the merge base with `ref`, as GitHub shows it), plus what is not committed
 * yet, modified or untracked, so a run before committing sees the migration being written.
 * Renames count as added (`--no-renames`); deleted files are gone and so not linted.
 */
export function filesChangedSince(ref: string, cwd: string = process.cwd()): Set<string> {
  // A ref starting with `-` would be read as an option.
  if (ref.startsWith('-')) throw new UsageError(`--changed-since needs a git ref such as origin/main, not "${ref}".`);
  const top = git(['rev-parse', '--show-toplevel'], cwd, (stderr) =>
    `--changed-since needs a git repository, but ${cwd} is not inside one (git: ${stderr}). Run lockguard from the repository's working tree.`,
  ).trim();
  git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top, () =>
    `unknown git ref "${ref}" for --changed-since. Fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0), or check its spelling.`,
  );
  const base = git(['merge-base', ref, 'HEAD'], top, () =>
    `"${ref}" and HEAD have no common ancestor, so "changed since ${ref}" is undefined. In a shallow clone, fetch the full history (actions/checkout with fetch-depth: 0).`,
  ).trim();
  const changed = git(['diff', '--name-only', '--no-renames', '--diff-filter=AM', '-z', base], top, gitFailed);
  const untracked = git(['ls-files', '--others', '--exclude-standard', '-z'], top, gitFailed);
  const realTop = realpathSync(top);
  return new Set([...splitNul(changed), ...splitNul(untracked)].map((name) => join(realTop, name)));
}

const gitFailed = (stderr: string) => `git failed while listing changed files: ${stderr}`;

const splitNul = (output: string) => output.split('\0').filter((name) => name !== '');

function git(args: string[], cwd: string, explain: (stderr: string) => string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError('--changed-since needs git, but it is not installed or not on PATH.');
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0] ?? '';
    throw new UsageError(explain(stderr || 'no message'));
  }
}
