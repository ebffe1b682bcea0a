/**
 * npm run test:e2e — the editor tests in a real VS Code, offline: the VS Code server and workbench from
 * the npm package code-server (installed into test/e2e/tools on first use), Debian's Chromium driven by
 * playwright-core, and a real PostgreSQL for the staging check. The extension is the packaged .vsix,
 * installed by VS Code as a user installs it. Runs the extension-host suite
 * (test/e2e/suite) and the UI test (test/e2e/ui), prints "N passed, N failed", and ends every process
 * it started. Run through npm, which bundles it to dist/e2e first.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Outcome } from './suite/harness';
import { assertChromiumInstalled, launchChromium } from './runner/browser';
import { runExtensionHostSuite } from './runner/extension-host';
import { startStagingDatabase } from './runner/postgres';
import { copyWorkspace, createSandbox, project, writeUserSettings } from './runner/sandbox';
import { ensureTools } from './runner/tools';
import { startVsCodeServer } from './runner/vscode-server';
import { installVsix } from './runner/vsix';
import { runUiTests } from './ui/person';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<Outcome> {
  const paths = project(root);
  assertChromiumInstalled();
  ensureTools(paths);
  const sandbox = await createSandbox(paths.artifacts);
  // PostgreSQL's cluster directory (os.tmpdir()) and every child process go into the sandbox too.
  Object.assign(process.env, sandbox.env);
  const screenshots = join(paths.artifacts, 'screenshots');
  await rm(screenshots, { recursive: true, force: true });
  await mkdir(screenshots, { recursive: true });

  const cleanups: (() => Promise<unknown>)[] = [];
  // Once, whoever asks first (the end of the run or Ctrl+C): the other waits for the same promise.
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(`Cleaning up: ${String(error)}`));
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll().finally(() => process.exit(130)));

  try {
    const database = await startStagingDatabase();
    cleanups.push(() => database.stop());
    await writeUserSettings(sandbox, { 'lockguard.staging.url': database.url });
    const extension = await installVsix(paths, sandbox);
    console.log(`== extension installed from the vsix into ${extension}`);
    const server = await startVsCodeServer(paths, sandbox, { LOCKGUARD_E2E_STAGING_URL: database.url }, extension);
    cleanups.push(() => server.stop());
    const browser = await launchChromium(sandbox);
    cleanups.push(() => browser.close());

    console.log('== editor tests in the extension host (VS Code server + Chromium)');
    const consoleLog = join(sandbox.logs, 'extension-host-console.log');
    const suite = await runExtensionHostSuite(browser, server, await copyWorkspace(paths, sandbox, 'workspace-suite'), paths.suite, consoleLog);
    console.log('== UI test: a person at the keyboard');
    const ui = await runUiTests(browser, server, extension, await copyWorkspace(paths, sandbox, 'workspace-ui'), screenshots);

    const outcome = { passed: suite.passed + ui.passed, failed: suite.failed + ui.failed, skipped: suite.skipped + ui.skipped };
    if (outcome.failed > 0) {
      console.log(`Logs: ${sandbox.logs}`);
      for (const file of await readdir(screenshots)) console.log(`Screenshot: ${join(screenshots, file)}`);
    }
    return outcome;
  } finally {
    await stopAll();
  }
}

const started = Date.now();
main().then(
  ({ passed, failed, skipped }) => {
    console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''} (editor tests, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    process.exit(failed > 0 ? 1 : 0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log('0 passed, 1 failed (the editor tests could not run)');
    process.exit(1);
  },
);
