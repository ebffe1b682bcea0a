import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatMs, median } from './stats';

const file = resolve(process.argv[2] ?? 'examples/migrations/002_index_orders_by_customer.sql');
const runs = Number(process.argv[3] ?? 21);
const lockguard = resolve('bin/lockguard.js');
const squawk = resolve('node_modules/@squawk-cli/linux-x64/bin/squawk');
const freshTmp = () => mkdtempSync(join(tmpdir(), 'lockguard-cold-'));

interface Step {
  name: string;
  command: string;
  args: string[];
  /** A fresh cache directory per run: no code cache from an earlier run. */
  fresh?: boolean;
}

// Each step adds one part of the work to the one before it.
const steps: Step[] = [
  { name: 'node -e 0 (Node starts)', command: process.execPath, args: ['-e', '0'] },
  { name: 'lockguard --version (+ the CLI bundle, code cache warm)', command: process.execPath, args: [lockguard, '--version'] },
  { name: 'lockguard lint FILE (+ parser, rules, prior schema, lint)', command: process.execPath, args: [lockguard, 'lint', '--exit-zero', file] },
  { name: 'lockguard lint FILE, first run (no code cache)', command: process.execPath, args: [lockguard, 'lint', '--exit-zero', file], fresh: true },
  ...(existsSync(squawk) ? [{ name: 'squawk FILE (native binary)', command: squawk, args: [file] }] : []),
];

/**
 * CPU time (user + system) of this process's finished children, from /proc (Linux; 10 ms ticks): unlike
 * wall time it hardly moves when other work shares the machine.
 */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ": state is field 3, cutime 16 and cstime 17 (proc(5)), so indexes 13 and 14 here.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function timeOnce(step: Step): { wall: number; cpu: number } {
  const tmp = step.fresh ? freshTmp() : undefined;
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const result = spawnSync(step.command, step.args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(tmp ? { XDG_CACHE_HOME: tmp } : {}) } });
  const wall = performance.now() - started;
  const cpu = childrenCpuMs() - cpuBefore;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  if (result.status !== 0 && !(step.command === squawk && result.status === 1)) throw new Error(`${step.name} failed (exit ${result.status}): ${result.stderr.toString()}`);
  return { wall, cpu };
}

for (const step of steps) timeOnce(step); // warm the page cache and lockguard's code cache
const timings = steps.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
// Round-robin, so that a change in the machine's load hits every step alike.
for (let run = 0; run < runs; run++) {
  steps.forEach((step, index) => {
    const { wall, cpu } = timeOnce(step);
    timings[index]!.wall.push(wall);
    timings[index]!.cpu.push(cpu);
  });
}

console.log(`Cold start of a single-file lint: ${file}, median of ${runs} runs, load average ${loadavg()[0]!.toFixed(1)}`);
const width = Math.max(...steps.map((step) => step.name.length));
console.log(`  ${''.padEnd(width)}      wall  (min)       CPU`);
steps.forEach((step, index) => {
  const { wall, cpu } = timings[index]!;
  console.log(`  ${step.name.padEnd(width)}  ${formatMs(median(wall)).padStart(8)}  (${formatMs(Math.min(...wall))})  ${formatMs(median(cpu)).padStart(8)}`);
});
