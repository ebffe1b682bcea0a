import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './stats';

export interface CliTool {
  name: string;
  /** The command line that lints every .sql file under `corpus`, without the excluded files. */
  command(corpus: string, excluded: readonly string[]): { command: string; args: string[] };
  /** Exit codes that mean "ran to the end" (findings included). */
  okExitCodes: readonly number[];
  /** Whether a failed run can be retried without some files (the tool crashes on them). */
  canExclude: boolean;
}

export type CliResult =
  | { ok: true; medianMs: number; runsMs: number[]; excluded: string[] }
  | { ok: false; reason: string };

/** Median wall time of `runs` runs over the corpus; a tool that crashes on some files is timed without them, and says so. */
export function benchCli(tool: CliTool, corpus: string, runs: number, cwd: string): CliResult {
  let excluded: string[] = [];
  const first = run(tool, corpus, excluded, cwd);
  if (!first.ok) {
    if (!tool.canExclude) return { ok: false, reason: first.reason };
    excluded = crashingFiles(tool, corpus, cwd);
    if (excluded.length === 0) return { ok: false, reason: first.reason };
  }
  const runsMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = run(tool, corpus, excluded, cwd);
    if (!result.ok) return { ok: false, reason: result.reason };
    runsMs.push(result.ms);
  }
  return { ok: true, medianMs: median(runsMs), runsMs, excluded };
}

function run(tool: CliTool, corpus: string, excluded: readonly string[], cwd: string): { ok: true; ms: number } | { ok: false; reason: string } {
  const { command, args } = tool.command(corpus, excluded);
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (result.error) return { ok: false, reason: result.error.message };
  if (result.status !== null && tool.okExitCodes.includes(result.status)) return { ok: true, ms };
  const stderr = result.stderr.toString();
  const panic = /panicked at [^\n]*\n([^\n]*)/.exec(stderr);
  return { ok: false, reason: panic ? `panicked: ${panic[1]}` : `exit ${result.status ?? result.signal}: ${stderr.trim().split('\n')[0] ?? ''}` };
}

/** The files the tool crashes on, narrowed folder by folder so that the search takes few runs. */
function crashingFiles(tool: CliTool, dir: string, cwd: string): string[] {
  if (run(tool, dir, [], cwd).ok) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir)
    .sort()
    .map((entry) => join(dir, entry))
    .filter((path) => statSync(path).isDirectory() || path.endsWith('.sql'))
    .flatMap((path) => crashingFiles(tool, path, cwd));
}
