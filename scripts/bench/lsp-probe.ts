import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import type { InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

export interface LspServerCommand {
  command: string;
  args: string[];
  /** The workspace the server is started in (its config file lives there). */
  workspace: string;
  initializationOptions?: unknown;
}

/** Publications kept to match against the version waited for. */
const KEPT_PUBLICATIONS = 16;

interface Published {
  params: PublishDiagnosticsParams;
  at: number;
}

/**
 * A minimal editor talking to a language server over stdio: opens and edits documents and measures
 * how long the server takes to report diagnostics, whether it pushes them (publishDiagnostics) or
 * the client pulls them (textDocument/diagnostic).
 */
export class LspProbe {
  private readonly published: Published[] = [];
  private waiters: (() => void)[] = [];
  private capabilities: InitializeResult['capabilities'] = {};
  readonly stderr: string[] = [];

  private constructor(
    readonly child: ChildProcess,
    private readonly connection: MessageConnection,
    readonly spawnedAt: number,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push({ params, at: performance.now() });
      // Only recent ones are waited for; keeping every big diagnostics list would make the probe's own
      // garbage collection part of the latencies it measures.
      if (this.published.length > KEPT_PUBLICATIONS) this.published.splice(0, this.published.length - KEPT_PUBLICATIONS);
      this.wake();
    });
    // Answer the server's requests like a minimal editor would.
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onNotification(() => undefined);
    child.stderr?.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  static start(server: LspServerCommand): LspProbe {
    const spawnedAt = performance.now();
    const child = spawn(server.command, server.args, { cwd: server.workspace, stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.listen();
    return new LspProbe(child, connection, spawnedAt);
  }

  async initialize(server: LspServerCommand, timeoutMs: number): Promise<void> {
    const rootUri = new URL(`file://${server.workspace}/`).href;
    const result = await withTimeout(
      this.connection.sendRequest<InitializeResult>('initialize', {
        processId: process.pid,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: 'bench' }],
        capabilities: {
          textDocument: { publishDiagnostics: { versionSupport: true }, diagnostic: { dynamicRegistration: false }, synchronization: { didSave: true } },
          workspace: { configuration: true, workspaceFolders: true },
        },
        initializationOptions: server.initializationOptions,
      }),
      timeoutMs,
      'did not answer initialize',
    );
    this.capabilities = result.capabilities;
    await this.connection.sendNotification('initialized', {});
  }

  /** The diagnostics last pushed for the document, if any. */
  lastPublished(uri: string): PublishDiagnosticsParams | undefined {
    return [...this.published].reverse().find(({ params }) => params.uri === uri)?.params;
  }

  /** Pull model: the server answers textDocument/diagnostic instead of (or besides) pushing. */
  get pullsDiagnostics(): boolean {
    return this.capabilities.diagnosticProvider !== undefined;
  }

  /** Whether the server takes incremental changes (else the whole text is sent on every edit). */
  get incrementalSync(): boolean {
    const sync = this.capabilities.textDocumentSync;
    const kind = typeof sync === 'number' ? sync : sync?.change;
    return kind === 2;
  }

  /** Opens a document and resolves with the milliseconds until its diagnostics arrived. */
  async open(uri: string, text: string, timeoutMs: number): Promise<number> {
    const sentAt = performance.now();
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
    return (await this.diagnosticsFor(uri, 1, sentAt, timeoutMs)) - sentAt;
  }

  /** Inserts `insert` at a position (the whole new text for full-sync servers) and times the diagnostics. */
  async edit(uri: string, version: number, change: { line: number; character: number; insert: string; fullText: string }, timeoutMs: number): Promise<number> {
    const position = { line: change.line, character: change.character };
    const contentChanges = this.incrementalSync ? [{ range: { start: position, end: position }, text: change.insert }] : [{ text: change.fullText }];
    const sentAt = performance.now();
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
    return (await this.diagnosticsFor(uri, version, sentAt, timeoutMs)) - sentAt;
  }

  /** When diagnostics for `version` arrived: pulled, or the first push for the version (or, unversioned, after `since`). */
  private async diagnosticsFor(uri: string, version: number, since: number, timeoutMs: number): Promise<number> {
    if (this.pullsDiagnostics) {
      await withTimeout(this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } }), timeoutMs, 'did not answer textDocument/diagnostic');
      return performance.now();
    }
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const match = this.published.find(({ params, at }) => params.uri === uri && (params.version === undefined ? at >= since : params.version === version));
      if (match) return match.at;
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new Error(`published no diagnostics within ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Asks the server to shut down; kills it if it does not exit promptly. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => (this.child.exitCode !== null ? resolve() : this.child.once('exit', () => resolve())));
    try {
      await withTimeout(this.connection.sendRequest('shutdown'), 2_000, 'did not answer shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // A server that hangs on shutdown is killed below.
    }
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(killer);
    this.connection.dispose();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
