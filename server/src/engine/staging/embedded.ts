/**
 * The embedded scratch database: PGlite (PostgreSQL 18 in WebAssembly) in a worker thread. PGlite
 * blocks the thread it runs on and ignores statement_timeout, so it runs in a worker that this side
 * talks to by messages — and cancelling means ending the worker (docs/staging-measurements.md §3). The
 * worker (`embedded-worker.cjs`) starts PostgreSQL from a ready-made cluster snapshot.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SqlSession } from './snapshot';

export class EmbeddedError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface EmbeddedDatabase extends SqlSession {
  serverVersion: string;
  major: number;
  /** Runs a multi-statement script (an earlier migration being replayed). */
  script(sql: string): Promise<void>;
  /** Ends the worker: cancels whatever runs, frees its memory. */
  close(): Promise<void>;
}

type Reply = { id: number; rows: object[] } | { id: number; error: { message: string; code?: string; hint?: string } };

/** PGlite from node_modules (CLI, tests), else the copy the build puts beside the bundle (the packaged extension). */
function resolvePglite(): string {
  try {
    return createRequire(__filename).resolve('@electric-sql/pglite');
  } catch {
    return join(__dirname, 'pglite', 'dist', 'index.cjs');
  }
}

/** Beside this module (sources, tests), else where the build copies it, with PGlite's runtime. */
function resolveWorker(): string {
  const beside = join(__dirname, 'embedded-worker.cjs');
  return existsSync(beside) ? beside : join(__dirname, 'pglite', 'embedded-worker.cjs');
}

export async function openEmbedded(signal: AbortSignal): Promise<EmbeddedDatabase> {
  const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lockguard');
  const worker = new Worker(resolveWorker(), { workerData: { lockguardEmbedded: true, pglite: resolvePglite(), cacheDir } });
  const pending = new Map<number, { resolve: (rows: object[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let ended: Error | undefined;
  const fail = (error: Error) => {
    ended ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('error', (error) => fail(new EmbeddedError(`The embedded PostgreSQL (PGlite) crashed: ${error.message}`)));
  worker.on('exit', () => fail(new EmbeddedError('The embedded PostgreSQL was stopped.', '57014')));
  const onAbort = () => void worker.terminate();
  signal.addEventListener('abort', onAbort, { once: true });

  const ready = await new Promise<{ version: string; num: number }>((resolve, reject) => {
    worker.once('message', (message: { ready?: { version: string; num: number }; fatal?: string }) =>
      message.ready ? resolve(message.ready) : reject(new EmbeddedError(`The embedded PostgreSQL (PGlite) did not start: ${message.fatal}`)),
    );
    worker.once('exit', () => reject(ended ?? new EmbeddedError('The embedded PostgreSQL was stopped before it started.', '57014')));
  });
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if ('error' in reply) waiter.reject(new EmbeddedError(reply.error.message, reply.error.code, reply.error.hint));
    else waiter.resolve(reply.rows);
  });

  const send = (message: { sql: string; params?: unknown[]; script?: boolean }) =>
    new Promise<object[]>((resolve, reject) => {
      if (ended) return reject(ended);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });

  return {
    serverVersion: ready.version,
    major: Math.floor(ready.num / 10_000),
    query: async <R extends object>(sql: string, params?: unknown[]) => ({ rows: (await send({ sql, params })) as R[] }),
    script: async (sql: string) => void (await send({ sql, script: true })),
    close: async () => {
      signal.removeEventListener('abort', onAbort);
      await worker.terminate();
    },
  };
}
