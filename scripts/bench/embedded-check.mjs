#!/usr/bin/env node
// `lockguard check` on the bundled example with no database configured (the embedded PGlite database):
// wall time and peak RSS of the whole process, cold and warm, median of N runs each.
//
//   node scripts/bench/embedded-check.mjs [runs] [--cpus LIST] [--file PATH]
//
// cold: as on the first run after installing: no cache in XDG_CACHE_HOME (the cluster snapshot the
//       first run caches there when the build shipped none) and no V8 code cache in TMPDIR (bin/code-cache.js);
//       the build's cluster snapshot (dist/pglite/) is used. The OS file cache stays warm.
// warm: the same cache directories, used again.
// --cpus pins the runs to CPUs (taskset -c LIST), so that a loaded machine's scheduler moves them less.
// Peak RSS comes from /usr/bin/time (GNU time, Linux): the process and its PGlite worker thread together.
// Needs `npm run build` first. Prints the load average before and after: on a busy machine wall times
// mean little without it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const [, value] = args.splice(at, 2);
  return value;
};
const cpus = option('--cpus');
const file = option('--file') ?? 'examples/migrations/002_index_orders_by_customer.sql';
const runs = Number(args[0] ?? 7);
if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run `npm run build` first.');
if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time (GNU time) is needed for the peak RSS.');

/** One `lockguard check`: wall seconds and peak RSS (MB); the exit code must be the example's (1: writes wait). */
function check(env) {
  const report = join(env.TMPDIR, 'time.txt');
  const command = [...(cpus ? ['taskset', '-c', cpus] : []), '/usr/bin/time', '-o', report, '-f', '%e %M', process.execPath, 'bin/lockguard.js', 'check', file];
  const run = spawnSync(command[0], command.slice(1), { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`lockguard check exited ${run.status}: ${run.stderr}`);
  const [seconds, kilobytes] = readFileSync(report, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, mb: kilobytes / 1024 };
}

const freshDirs = () => ({ XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'lockguard-bench-cache-')), TMPDIR: mkdtempSync(join(tmpdir(), 'lockguard-bench-tmp-')) });
const removeDirs = (env) => Object.values(env).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

const loadBefore = load();
const cold = [];
for (let i = 0; i < runs; i++) {
  const env = freshDirs();
  try {
    cold.push(check(env));
  } finally {
    removeDirs(env);
  }
}
const warmDirs = freshDirs();
const warm = [];
try {
  check(warmDirs); // fills the caches
  for (let i = 0; i < runs; i++) warm.push(check(warmDirs));
} finally {
  removeDirs(warmDirs);
}

const row = (name, samples) =>
  `${name.padEnd(5)} ${median(samples.map((s) => s.seconds)).toFixed(2).padStart(6)} s  (${Math.min(...samples.map((s) => s.seconds)).toFixed(2)}–${Math.max(...samples.map((s) => s.seconds)).toFixed(2)})  ${median(samples.map((s) => s.mb)).toFixed(0).padStart(4)} MB peak RSS (max ${Math.max(...samples.map((s) => s.mb)).toFixed(0)})`;
console.log(`lockguard check ${file} (embedded PGlite), median of ${runs} runs${cpus ? `, taskset -c ${cpus}` : ''}`);
console.log(`load average before: ${loadBefore}; after: ${load()} (${(await import('node:os')).cpus().length} CPUs)`);
console.log(row('cold', cold));
console.log(row('warm', warm));
