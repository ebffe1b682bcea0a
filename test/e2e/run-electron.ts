/**
 * npm run test:electron — the same extension-host suite as npm run test:e2e, in desktop VS Code through
 * @vscode/test-electron, which downloads VS Code from update.code.visualstudio.com: it needs internet
 * (it cannot run on the offline CI machines; test:e2e covers the suite there). On Linux without a
 * display, run it under xvfb-run. LOCKGUARD_VSCODE_VERSION picks the release (default: the oldest the
 * extension supports, its engines.vscode).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStagingDatabase } from './runner/postgres';
import { copyWorkspace, createSandbox, project, writeUserSettings } from './runner/sandbox';
import { ensureTools } from './runner/tools';

/** The part of @vscode/test-electron's API used here; it lives in test/e2e/tools/node_modules, outside tsc's reach. */
interface TestElectron {
  downloadAndUnzipVSCode(version: string): Promise<string>;
  runTests(options: {
    vscodeExecutablePath: string;
    extensionDevelopmentPath: string;
    extensionTestsPath: string;
    launchArgs?: string[];
    extensionTestsEnv?: Record<string, string>;
  }): Promise<number>;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  const paths = project(root);
  ensureTools(paths);
  const { downloadAndUnzipVSCode, runTests } = createRequire(join(paths.tools, 'package.json'))('@vscode/test-electron') as TestElectron;
  const version = process.env.LOCKGUARD_VSCODE_VERSION ?? engineVersion(paths.root);
  const vscodeExecutablePath = await downloadAndUnzipVSCode(version).catch((error: unknown) => {
    throw new Error(
      `Downloading VS Code ${version} from update.code.visualstudio.com failed (${error instanceof Error ? error.message : String(error)}). ` +
        'test:electron needs internet; offline, npm run test:e2e runs the same suite in the VS Code server from npm.',
    );
  });
  const sandbox = await createSandbox(paths.artifacts);
  Object.assign(process.env, sandbox.env);
  const database = await startStagingDatabase();
  try {
    await writeUserSettings(sandbox, { 'lockguard.staging.url': database.url });
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: paths.root,
      extensionTestsPath: paths.suite,
      launchArgs: [await copyWorkspace(paths, sandbox, 'workspace-suite'), '--disable-extensions', '--user-data-dir', sandbox.userData, '--extensions-dir', sandbox.extensions],
      extensionTestsEnv: { ...sandbox.env, LOCKGUARD_E2E_STAGING_URL: database.url },
    });
  } finally {
    await database.stop();
  }
}

/** engines.vscode of the extension ("1.91.0" or "^1.91.0"): test on the oldest VS Code it claims to support. */
function engineVersion(extensionRoot: string): string {
  const manifest = JSON.parse(readFileSync(join(extensionRoot, 'package.json'), 'utf8')) as { engines: { vscode: string } };
  return manifest.engines.vscode.replace(/^[\^~>=]+/, '');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
