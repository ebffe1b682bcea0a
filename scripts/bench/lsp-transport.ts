/**
 * The transport floor of didChange → diagnostics: how long moving the language server's diagnostics
 * for the bench's 10,000-line migration takes between two processes over stdio with vscode-jsonrpc (the
 * library of Lockguard's server, of VS Code's client and of the bench's probe) — with no analysis at all.
 * 1. `lockguard lsp --stdio` opens the migration; its publishDiagnostics is captured.
 * 2. A child process that only echoes (vscode-jsonrpc, the same stdio framing) sends that same message
 *    back each time it is asked; the time from asking to the parsed message, median of RUNS.
 * Whatever a server does, a push of these diagnostics cannot reach the client faster.
 * Run: `node scripts/bench/lsp-transport.mjs [runs]` (default 21).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { buildBigMigration } from './big-migration';
import { LspProbe } from './lsp-probe';
import { median } from './stats';

const ECHO = `
const { StreamMessageReader, StreamMessageWriter, createMessageConnection } = require('vscode-jsonrpc/node');
const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
let message;
connection.onNotification('keep', (params) => (message = params));
connection.onNotification('send', () => connection.sendNotification('textDocument/publishDiagnostics', message));
connection.listen();
`;

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 21);
  const root = process.cwd();
  const workspace = mkdtempSync(join(tmpdir(), 'lockguard-transport-'));
  try {
    const migration = buildBigMigration(join(root, '..', 'shared', 'corpus'), 10_000);
    const published = await diagnosticsOf(root, workspace, migration.text);
    const bytes = Buffer.byteLength(JSON.stringify(published));

    const child = spawn(process.execPath, ['-e', ECHO], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    let arrived = () => {};
    connection.onNotification('textDocument/publishDiagnostics', () => arrived());
    connection.listen();
    await connection.sendNotification('keep', published);
    const times: number[] = [];
    for (let run = 0; run < runs + 1; run++) {
      const started = performance.now();
      const received = new Promise<void>((resolve) => (arrived = resolve));
      await connection.sendNotification('send');
      await received;
      // The first one warms both processes up.
      if (run > 0) times.push(performance.now() - started);
    }
    connection.dispose();
    child.kill();
    process.stdout.write(
      `publishDiagnostics of the ${migration.lines}-line bench migration: ${published.diagnostics.length} diagnostics, ${(bytes / 1024 / 1024).toFixed(2)} MB of JSON\n` +
        `moved by an echoing process over stdio (vscode-jsonrpc on both ends, no analysis), ${runs} runs: median ${median(times).toFixed(1)} ms, fastest ${Math.min(...times).toFixed(1)} ms\n`,
    );
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

/** The diagnostics Lockguard's language server publishes on opening the text. */
async function diagnosticsOf(root: string, workspace: string, text: string): Promise<PublishDiagnosticsParams> {
  const server = { command: process.execPath, args: [join(root, 'bin', 'lockguard.js'), 'lsp', '--stdio'], workspace };
  const probe = LspProbe.start(server);
  try {
    await probe.initialize(server, 30_000);
    const uri = new URL(`file://${workspace}/bench.sql`).href;
    await probe.open(uri, text, 60_000);
    return probe.lastPublished(uri)!;
  } finally {
    await probe.stop();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
