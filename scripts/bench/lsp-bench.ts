import { performance } from 'node:perf_hooks';
import type { BigMigration } from './big-migration';
import { LspProbe, type LspServerCommand } from './lsp-probe';
import { treeRssBytes } from './process-memory';
import { percentile } from './stats';

/** A figure, or why there is none. */
export type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface LspResult {
  coldStartMs: Measured<number>;
  openMs: Measured<number>;
  changeMs: Measured<{ p50: number; p95: number; edits: number }>;
  rssBytes: Measured<number>;
  /** How the diagnostics were obtained: pushed by the server or pulled by the client. */
  mode: 'push' | 'pull' | undefined;
}

export interface LspBenchOptions {
  edits: number;
  /** Typing stops after this long: percentiles are then over the edits made, and the table says how many. */
  typingBudgetMs: number;
  /** A diagnostic that does not arrive in this time is reported as missing. */
  timeoutMs: number;
  /** A small migration, for the cold start. */
  smallMigration: string;
}

/** Per-keystroke characters: a rotating alphabet keeps the typed identifier valid SQL. */
const TYPED = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Starts the server, times spawn → first diagnostics on a small migration (cold start), then opens
 * the big migration and types `edits` characters into a statement in its middle, one at a time,
 * timing each change until its diagnostics; finally reads the server's resident memory.
 */
export async function benchLsp(server: LspServerCommand, migration: BigMigration, options: LspBenchOptions): Promise<LspResult> {
  const probe = LspProbe.start(server);
  const result: LspResult = {
    coldStartMs: { ok: false, reason: 'not reached' },
    openMs: { ok: false, reason: 'not reached' },
    changeMs: { ok: false, reason: 'not reached' },
    rssBytes: { ok: false, reason: 'not reached' },
    mode: undefined,
  };
  try {
    await probe.initialize(server, options.timeoutMs);
    result.mode = probe.pullsDiagnostics ? 'pull' : 'push';
    const small = `file://${server.workspace}/small.sql`;
    result.coldStartMs = await measure(async () => {
      await probe.open(small, options.smallMigration, options.timeoutMs);
      return performance.now() - probe.spawnedAt;
    });
    const uri = `file://${server.workspace}/big_migration.sql`;
    result.openMs = await measure(() => probe.open(uri, migration.text, options.timeoutMs));
    if (result.openMs.ok) result.changeMs = await measure(() => typeInto(probe, uri, migration, options));
    // The whole process tree: postgres-language-server's proxy analyses in a daemon child process.
    result.rssBytes = { ok: true, value: treeRssBytes(probe.child.pid!) };
  } catch (error) {
    // The server did not initialise: no figure can be measured.
    const failed = { ok: false as const, reason: describe(error) };
    Object.assign(result, { coldStartMs: failed, openMs: failed, changeMs: failed, rssBytes: failed });
  } finally {
    await probe.stop();
  }
  return result;
}

async function typeInto(probe: LspProbe, uri: string, migration: BigMigration, options: LspBenchOptions) {
  const lines = migration.text.split('\n');
  const latencies: number[] = [];
  const stopAt = performance.now() + options.typingBudgetMs;
  for (let i = 0; i < options.edits && performance.now() < stopAt; i++) {
    const insert = TYPED[i % TYPED.length]!;
    const character = migration.typingAt.character + i;
    const line = lines[migration.typingAt.line]!;
    lines[migration.typingAt.line] = `${line.slice(0, character)}${insert}${line.slice(character)}`;
    latencies.push(await probe.edit(uri, i + 2, { line: migration.typingAt.line, character, insert, fullText: lines.join('\n') }, options.timeoutMs));
  }
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), edits: latencies.length };
}

async function measure<T>(task: () => Promise<T>): Promise<Measured<T>> {
  try {
    return { ok: true, value: await task() };
  } catch (error) {
    return { ok: false, reason: describe(error) };
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
