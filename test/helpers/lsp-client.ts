import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A real LSP client over stdio: spawns the built server and records what it publishes. */
export class LspTestClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  readonly stderr: string[] = [];
  /** Capabilities the server registered dynamically (client/registerCapability). */
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push(params);
      this.wake();
    });
    connection.onNotification((method, params) => {
      this.notifications.push({ method, params });
      this.wake();
    });
    // The server may ask for configuration or register capabilities; answer like a minimal editor.
    connection.onRequest('workspace/configuration', () => [{}]);
    connection.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    process.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  static start(command: string[]): LspTestClient {
    const child = spawn(process.execPath, command, { cwd: PROJECT_ROOT, stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    return new LspTestClient(child, connection);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves with the first published diagnostics for `uri` matching `accept`, looking at past ones too. */
  async diagnostics(uri: string, accept: (params: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      const match = this.published.slice(seen).find((params) => params.uri === uri && accept(params));
      if (match) return match;
      seen = this.published.length;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; got ${JSON.stringify(this.published.filter((p) => p.uri === uri))}\nserver stderr: ${this.stderr.join('')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } finally {
      setTimeout(() => this.process.kill('SIGKILL'), 5_000).unref();
    }
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
