// `node scripts/bench/engine-keystrokes.mjs <style> <lines> [edits]`: the language server's work per
// keystroke without the protocol, to profile it (`node --cpu-prof` on the bundle) and to see which rules
// it goes to. Opens a synthetic migration (synthetic-migration.ts; style autocommit, flyway, goose or
// explicit), or with style `corpus` the `npm run bench` file made from ../shared/corpus, in a folder of its own, then types the keystroke benchmark's edits (edit-plan.ts), each
// analysed as the server analyses a change: `lintIncrementally` on the previous analysis, the folder
// read once per analysis, the findings converted to diagnostics. Prints the time per edit, the publish
// size and the heap, and the time per edit of the rules that took the most. With LOCKGUARD_CPU_PROFILE=<file>
// it writes a CPU profile of the typing alone (not of the open), for Chrome's DevTools or `speedscope`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { ConfigResolver } from '../../server/src/engine/config/resolver';
import { Linter, type Analysis } from '../../server/src/engine/lint';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { Rule } from '../../server/src/engine/rules/rule';
import { LineIndex } from '../../server/src/engine/text/positions';
import { toDiagnostic } from '../../server/src/lsp/convert';
import { withFolderReadOnce } from '../../server/src/lsp/folder-reads';
import { spreadKeystrokes } from './edit-plan';
import { formatMs, percentile } from './stats';
import { buildBigMigration } from './big-migration';
import { buildSyntheticMigration, TRANSACTION_STYLES, type SyntheticMigration, type TransactionStyle } from './synthetic-migration';

const [style = 'flyway', lines = '1000', edits = '200'] = process.argv.slice(2);
if (style !== 'corpus' && !TRANSACTION_STYLES.includes(style as TransactionStyle)) throw new Error(`style: corpus or one of ${TRANSACTION_STYLES.join(', ')}, not "${style}"`);

/** The `npm run bench` file (big-migration.ts), or a synthetic one. */
function migrationToType(): SyntheticMigration {
  if (style !== 'corpus') return buildSyntheticMigration(style as TransactionStyle, Number(lines));
  const { text, lines: count } = buildBigMigration(resolve('../shared/corpus'), Number(lines));
  return { name: 'corpus-made', files: [{ path: 'big_migration.sql', text }], text, lines: count };
}

/** Time spent in each rule's `check` while typing, and how often it ran. */
const ruleTimes = new Map<string, { ms: number; runs: number }>();
let typing = false;
const timed = (rule: Rule): Rule => ({
  ...rule,
  check(statement, context) {
    if (!typing) return rule.check(statement, context);
    const start = performance.now();
    try {
      return rule.check(statement, context);
    } finally {
      const times = ruleTimes.get(rule.id) ?? { ms: 0, runs: 0 };
      ruleTimes.set(rule.id, { ms: times.ms + performance.now() - start, runs: times.runs + 1 });
    }
  },
});

async function main(): Promise<void> {
  const migration = migrationToType();
  const folder = mkdtempSync(join(tmpdir(), 'lockguard-engine-keystrokes-'));
  try {
    for (const file of migration.files) writeFileSync(join(folder, file.path), file.text);
    const path = join(folder, migration.files[0]!.path);
    const uri = `file://${path}`;
    const linter = await Linter.create(ALL_RULES.map(timed));
    const options = new ConfigResolver(ALL_RULES.map((rule) => rule.id)).forFile(path).options;
    const analyse = (text: string, previous: Analysis | undefined) => {
      const index = new LineIndex(text);
      const analysis = linter.lintIncrementally(text, withFolderReadOnce(options), previous);
      return { analysis, diagnostics: analysis.findings.map((finding) => toDiagnostic(finding, index, uri)) };
    };
    const openedAt = performance.now();
    let state = analyse(migration.text, undefined);
    const openMs = performance.now() - openedAt;
    const { keystrokes } = spreadKeystrokes(migration.text, Number(edits));
    const current = migration.text.split('\n');
    const latencies: number[] = [];
    // CPU time (this process's threads, the garbage collector's included): steadier than wall time on a shared machine.
    const cpuTimes: number[] = [];
    const profile = await startProfile(process.env.LOCKGUARD_CPU_PROFILE);
    typing = true;
    for (const { line, character, insert } of keystrokes) {
      current[line] = `${current[line]!.slice(0, character)}${insert}${current[line]!.slice(character)}`;
      const text = current.join('\n');
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      state = analyse(text, state.analysis);
      latencies.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
    }
    typing = false;
    await profile?.();
    const publishKiB = JSON.stringify(state.diagnostics).length / 1024;
    const heapMiB = process.memoryUsage().heapUsed / 1024 / 1024;
    process.stdout.write(
      `${migration.name} (${migration.lines} lines), ${latencies.length} edits: open ${formatMs(openMs)}; per edit p50 ${formatMs(percentile(latencies, 50))}, ` +
        `p95 ${formatMs(percentile(latencies, 95))} (CPU p50 ${formatMs(percentile(cpuTimes, 50))}, p95 ${formatMs(percentile(cpuTimes, 95))}); ${state.analysis.findings.length} findings, publish ${publishKiB.toFixed(0)} KiB; heap ${heapMiB.toFixed(0)} MiB\n`,
    );
    for (const [id, { ms, runs }] of [...ruleTimes].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) {
      process.stdout.write(`  ${id}: ${(ms / latencies.length).toFixed(1)} ms and ${Math.round(runs / latencies.length)} runs per edit\n`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Starts V8's CPU profiler when a file is given; the returned function stops it and writes the profile there. */
async function startProfile(file: string | undefined): Promise<(() => Promise<void>) | undefined> {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`engine-keystrokes: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
