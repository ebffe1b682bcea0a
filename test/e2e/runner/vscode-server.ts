import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Project, Sandbox } from './sandbox';
import { killProcessTree } from './processes';

const READY_TIMEOUT_MS = 60_000;

export interface VsCodeServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** The URL that opens `folder` in the workbench, with the extension loaded from the installed vsix's folder. */
  workbenchUrl(folder: string, options?: { extensionTestsPath?: string }): string;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts the VS Code server shipped in the npm package code-server: its own server-main.js rather than
 * the code-server CLI, which rejects --enable-smoke-test-driver (needed for the test payload on newer
 * releases). It runs detached, leading its own process group, so stop() can end it with everything it started.
 */
export async function startVsCodeServer(project: Project, sandbox: Sandbox, env: Record<string, string>, extensionFolder: string): Promise<VsCodeServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const logFile = join(sandbox.logs, 'vscode-server.log');
  const log = openSync(logFile, 'a');
  const serverMain = join(project.tools, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  // The extension host inherits this environment: the VS Code that hosts the extension under test.
  const child = spawn(
    process.execPath,
    [
      serverMain,
      ...['--host', '127.0.0.1', '--port', String(port)],
      ...['--without-connection-token', '--accept-server-license-terms', '--enable-smoke-test-driver'],
      ...['--telemetry-level', 'off', '--disable-workspace-trust'],
      ...['--user-data-dir', sandbox.userData, '--extensions-dir', sandbox.extensions, '--server-data-dir', sandbox.serverData],
    ],
    { detached: true, stdio: ['ignore', log, log], env: { ...process.env, ...sandbox.env, ...env } },
  );
  closeSync(log);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`The VS Code server exited (code ${code}) before it was ready; see ${logFile}`))));
  exited.catch(() => {}); // only raced while starting
  const server: VsCodeServer = {
    origin,
    logFile,
    workbenchUrl(folder, options) {
      // VS Code runs a test suite only beside an extension under development: that is the installed
      // vsix's folder (test/e2e/runner/vsix.ts), so the tests see exactly what the vsix ships.
      const payload: [string, string][] = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${extensionFolder}`]];
      if (options?.extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://127.0.0.1:${port}${options.extensionTestsPath}`]);
      return `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    },
    stop: () => killProcessTree(child.pid!),
  };
  try {
    await Promise.race([waitUntilServing(`${origin}/version`), exited]);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function waitUntilServing(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`The VS Code server did not answer ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
