import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Project, Sandbox } from './sandbox';

/**
 * Packages the extension as users get it (`npm run package`'s script, on the build `npm run test:e2e`
 * has just made) and installs the .vsix with the VS Code server's own installer into the sandbox's
 * extensions folder. Returns the installed extension's folder: the editor tests load the extension
 * from there, so a file missing from the vsix fails them as it would fail a user.
 */
export async function installVsix(project: Project, sandbox: Sandbox): Promise<string> {
  const vsix = join(sandbox.dir, 'lockguard.vsix');
  run('Packaging the extension', [join(project.root, 'scripts', 'package-vsix.mjs'), '--skip-build', '--out', vsix]);
  const serverMain = join(project.tools, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
  run('Installing the vsix into VS Code', [
    serverMain,
    ...['--install-extension', vsix, '--force'],
    ...['--extensions-dir', sandbox.extensions, '--user-data-dir', sandbox.userData, '--server-data-dir', sandbox.serverData, '--accept-server-license-terms'],
  ]);
  const { publisher, name, version } = JSON.parse(await readFile(join(project.root, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  const folder = `${publisher}.${name}-${version}`.toLowerCase();
  const installed = (await readdir(sandbox.extensions)).find((entry) => entry.toLowerCase() === folder);
  if (!installed) throw new Error(`VS Code did not install the vsix into ${sandbox.extensions} (expected ${folder})`);
  return join(sandbox.extensions, installed);
}

function run(what: string, args: string[]): void {
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env } });
  if (result.status !== 0) throw new Error(`${what} failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
}
