import { performance } from 'node:perf_hooks';
import { spreadKeystrokes } from './edit-plan';
import { LspProbe, type LspServerCommand } from './lsp-probe';
import { treeRssBytes } from './process-memory';
import { percentile } from './stats';

/** A figure, or why there is none. */
export type Measured<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface LspResult {
  coldStartMs: Measured<number>;
  openMs: Measured<number>;
  changeMs: Measured<{ p50: number; p95: number; edits: number }>;
  /** Resident memory of the server after the edits (the whole process tree). */
  rssBytes: Measured<number>;
  /** Resident memory right after the document was opened, to see whether the edits make it grow. */
  rssAfterOpenBytes: Measured<number>;
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

/** The document typed into: its path in the server's workspace (written there by the caller) and its text. */
export interface BenchDocument {
  path: string;
  text: string;
}

/**
 * Starts the server, times spawn → first diagnostics on a small migration (cold start), then opens
 * the document and types `edits` characters spread over it (see edit-plan.ts), one at a time,
 * timing each change until the diagnostics of its version arrive; reads the server's resident
 * memory after the open and after the edits.
 */
export async function benchLsp(server: LspServerCommand, migration: BenchDocument, options: LspBenchOptions): Promise<LspResult> {
  const probe = LspProbe.start(server);
  const result: LspResult = {
    coldStartMs: { ok: false, reason: 'not reached' },
    openMs: { ok: false, reason: 'not reached' },
    changeMs: { ok: false, reason: 'not reached' },
    rssBytes: { ok: false, reason: 'not reached' },
    rssAfterOpenBytes: { ok: false, reason: 'not reached' },
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
    const uri = `file://${migration.path}`;
    result.openMs = await measure(() => probe.open(uri, migration.text, options.timeoutMs));
    result.rssAfterOpenBytes = { ok: true, value: treeRssBytes(probe.child.pid!) };
    if (result.openMs.ok) result.changeMs = await measure(() => typeInto(probe, uri, migration, options));
    // The whole process tree: postgres-language-server's proxy analyses in a daemon child process.
    result.rssBytes = { ok: true, value: treeRssBytes(probe.child.pid!) };
  } catch (error) {
    // The server did not initialise: no figure can be measured.
    const failed = { ok: false as const, reason: describe(error) };
    Object.assign(result, { coldStartMs: failed, openMs: failed, changeMs: failed, rssBytes: failed, rssAfterOpenBytes: failed });
  } finally {
    await probe.stop();
  }
  return result;
}

async function typeInto(probe: LspProbe, uri: string, migration: BenchDocument, options: LspBenchOptions) {
  const { keystrokes, texts } = spreadKeystrokes(migration.text, options.edits);
  const latencies: number[] = [];
  const stopAt = performance.now() + options.typingBudgetMs;
  // Full texts are made only for servers that take whole documents.
  const fullTexts = probe.incrementalSync ? undefined : texts()[Symbol.iterator]();
  for (let i = 0; i < keystrokes.length && performance.now() < stopAt; i++) {
    const fullText = fullTexts?.next().value ?? '';
    latencies.push(await probe.edit(uri, i + 2, { ...keystrokes[i]!, fullText }, options.timeoutMs));
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
