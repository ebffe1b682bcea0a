import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
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
  /**
   * The folder, relative to where the tool runs, where it keeps results between runs: it is then
   * timed twice a round, cold (the folder removed first) and warm (right after, the folder filled).
   */
  cacheDirectory?: string;
}

export interface CliTiming {
  medianMs: number;
  runsMs: number[];
}

export type CliResult =
  | {
      ok: true;
      /** Without the tool's cache (none, or removed before each run): every file linted. */
      cold: CliTiming;
      /** With the cache the run before filled; undefined for a tool without a cache. */
      warm: CliTiming | undefined;
      excluded: string[];
    }
  | { ok: false; reason: string };

/**
 * Median wall times over the corpus, the tools' runs alternating round by round, so that a change
 * in the machine's load weighs on each tool alike. A tool that crashes on some files is timed
 * without them, and says so.
 */
export function benchClis(tools: readonly CliTool[], corpus: string, runs: number, cwd: string, progress: (message: string) => void): Map<string, CliResult> {
  const states = tools.map((tool) => {
    progress(`CLI: ${tool.name} (first run) …`);
    const excluded = filesToExclude(tool, corpus, cwd);
    return { tool, excluded: excluded.ok ? excluded.files : [], failure: excluded.ok ? undefined : excluded.reason, cold: [] as number[], warm: [] as number[] };
  });
  for (let round = 1; round <= runs; round++) {
    for (const state of states) {
      if (state.failure !== undefined) continue;
      progress(`CLI: ${state.tool.name} (round ${round} of ${runs}) …`);
      const { cacheDirectory } = state.tool;
      if (cacheDirectory !== undefined) rmSync(join(cwd, cacheDirectory), { recursive: true, force: true });
      const cold = run(state.tool, corpus, state.excluded, cwd);
      const warm = cold.ok && cacheDirectory !== undefined ? run(state.tool, corpus, state.excluded, cwd) : undefined;
      const failed = [cold, warm].find((result) => result !== undefined && !result.ok);
      if (failed && !failed.ok) state.failure = failed.reason;
      if (cold.ok) state.cold.push(cold.ms);
      if (warm?.ok) state.warm.push(warm.ms);
    }
  }
  const timing = (runsMs: number[]): CliTiming => ({ medianMs: median(runsMs), runsMs });
  return new Map(
    states.map(({ tool, excluded, failure, cold, warm }): [string, CliResult] => [
      tool.name,
      failure !== undefined ? { ok: false, reason: failure } : { ok: true, cold: timing(cold), warm: tool.cacheDirectory === undefined ? undefined : timing(warm), excluded },
    ]),
  );
}

/** The files to time the tool without: none when it runs the whole corpus, else those it crashes on. */
function filesToExclude(tool: CliTool, corpus: string, cwd: string): { ok: true; files: string[] } | { ok: false; reason: string } {
  if (tool.cacheDirectory !== undefined) rmSync(join(cwd, tool.cacheDirectory), { recursive: true, force: true });
  const first = run(tool, corpus, [], cwd);
  if (first.ok) return { ok: true, files: [] };
  if (!tool.canExclude) return first;
  const files = crashingFiles(tool, corpus, cwd);
  return files.length === 0 ? first : { ok: true, files };
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
