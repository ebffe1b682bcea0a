import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { AnalysisStateParams } from '../../shared/protocol';
import { analysisStateNotification } from './protocol';
import { lockguardDocumentSelector } from './lockguard-documents';
import { withRedactedPasswords } from './staging/redacting-trace';
import type { ServerState } from './status-presentation';

export interface ServerListener {
  showServerState(state: ServerState): void;
  showAnalysisState(params: AnalysisStateParams): void;
}

/**
 * Owns the language client: start, stop and restart. A restart builds a fresh client, because a
 * client whose start failed or that was disposed cannot reliably be started again.
 */
export class LockguardLanguageServer {
  private client: LanguageClient | undefined;
  private clientSubscriptions: vscode.Disposable[] = [];
  /** Start and restart run one at a time: stopping a client that is still starting throws. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly serverModule: string,
    private readonly output: vscode.LogOutputChannel,
    private readonly listener: ServerListener,
  ) {}

  start(): Promise<void> {
    return this.serialise(() => this.startClient());
  }

  restart(): Promise<void> {
    return this.serialise(async () => {
      this.output.info('Restarting the Lockguard language server.');
      await this.stopClient();
      await this.startClient();
    });
  }

  /** The client while one exists, for the commands' own requests (e.g. the staging check). */
  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  /** Not serialised: on deactivation, stop whatever is there now instead of waiting behind a hung start. */
  stop(): Promise<void> {
    return this.stopClient();
  }

  private serialise(task: () => Promise<void>): Promise<void> {
    this.pending = this.pending.then(task, task);
    return this.pending;
  }

  private async startClient(): Promise<void> {
    if (!existsSync(this.serverModule)) {
      const reason = `The Lockguard language server is missing (${this.serverModule}); reinstall the extension, or run "npm run build" in a development checkout.`;
      this.output.error(reason);
      this.listener.showServerState({ kind: 'failed', reason });
      // The client would report its own start failures; this one happens before there is a client.
      void vscode.window.showErrorMessage(reason, 'Show Output').then((choice) => choice && this.output.show(true));
      return;
    }
    this.output.info(`Starting the language server ${this.serverModule}`);
    const client = new LanguageClient('lockguard', 'Lockguard', serverOptions(this.serverModule), clientOptions(this.output));
    this.client = client;
    this.clientSubscriptions = [
      client.onDidChangeState(({ newState }) => this.listener.showServerState(toServerState(newState))),
      client.onNotification(analysisStateNotification, (params) => this.listener.showAnalysisState(params)),
    ];
    this.listener.showServerState({ kind: 'starting' });
    try {
      await client.start();
    } catch {
      // The client has already logged the cause and offered "Go to output"; only the status is left to set.
      if (this.client === client) this.listener.showServerState(toServerState(State.StartFailed));
    }
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // Unsubscribe first: the Stopped state of a deliberate stop must not show as a crash.
    for (const subscription of this.clientSubscriptions) subscription.dispose();
    this.clientSubscriptions = [];
    if (!client) return;
    try {
      await client.dispose();
    } catch (error) {
      // A client that never got running cannot be stopped; there is nothing left to clean up.
      this.output.debug(`Stopping the language client: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function toServerState(state: State): ServerState {
  switch (state) {
    case State.Starting:
      return { kind: 'starting' };
    case State.Running:
      return { kind: 'running' };
    case State.StartFailed:
      return { kind: 'failed', reason: 'The Lockguard language server failed to start.' };
    case State.Stopped:
      // Deliberate stops unsubscribe first, so Stopped here means the client gave up (repeated crashes or connection errors).
      return { kind: 'failed', reason: 'The Lockguard language server stopped unexpectedly and was not restarted.' };
  }
}

function serverOptions(module: string): ServerOptions {
  // Source maps make stack traces of server errors in the output channel point at the TypeScript sources.
  const run = { module, transport: TransportKind.ipc, options: { execArgv: ['--enable-source-maps'] } };
  return {
    run,
    debug: { ...run, options: { execArgv: ['--enable-source-maps', '--nolazy', '--inspect=6009'] } },
  };
}

function clientOptions(outputChannel: vscode.LogOutputChannel): LanguageClientOptions {
  return {
    documentSelector: lockguardDocumentSelector,
    outputChannel,
    traceOutputChannel: withRedactedPasswords(outputChannel),
    // Findings show in the Problems view and the status bar; the server's own errors should not pop the panel open.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    diagnosticCollectionName: 'lockguard',
    // Forwards changes to `lockguard.*` as workspace/didChangeConfiguration.
    synchronize: { configurationSection: 'lockguard' },
    // The current settings at start, so the first analyses do not run with defaults while the server pulls them.
    initializationOptions: () => currentSettings(),
  };
}

/** The whole `lockguard` section; the server validates it and ignores what it cannot use. */
function currentSettings(): Record<string, unknown> {
  const configuration = vscode.workspace.getConfiguration('lockguard');
  return Object.fromEntries(['enable', 'pgVersion', 'transactionMode', 'rules', 'exclude'].map((key) => [key, configuration.get(key)]));
}
