import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Paths of the repository the runners work with. */
export interface Project {
  root: string;
  /** test/e2e/tools: the real VS Code (code-server) and @vscode/test-electron, with their own package.json. */
  tools: string;
  fixtureWorkspace: string;
  /** The bundled suite VS Code loads as extensionTestsPath. */
  suite: string;
  artifacts: string;
}

export function project(root: string): Project {
  return {
    root,
    tools: join(root, 'test', 'e2e', 'tools'),
    fixtureWorkspace: join(root, 'test', 'e2e', 'fixtures', 'workspace'),
    suite: join(root, 'dist', 'e2e', 'suite.js'),
    artifacts: join(root, 'test-artifacts', 'e2e'),
  };
}

/**
 * A fresh directory per run for everything VS Code, Chromium and PostgreSQL write, so nothing lands in
 * $HOME or /tmp: the runner points TMPDIR and the XDG directories of itself and every child here. It is
 * kept after the run (logs, the edited workspace) and wiped by the next one.
 */
export interface Sandbox {
  dir: string;
  userData: string;
  extensions: string;
  serverData: string;
  browserProfile: string;
  logs: string;
  env: Record<string, string>;
}

export async function createSandbox(artifacts: string): Promise<Sandbox> {
  const dir = join(artifacts, 'sandbox');
  await rm(dir, { recursive: true, force: true });
  const paths = {
    tmp: join(dir, 'tmp'),
    config: join(dir, 'xdg-config'),
    data: join(dir, 'xdg-data'),
    cache: join(dir, 'xdg-cache'),
    runtime: join(dir, 'xdg-runtime'),
  };
  const sandbox: Sandbox = {
    dir,
    userData: join(dir, 'user-data'),
    extensions: join(dir, 'extensions'),
    serverData: join(dir, 'server-data'),
    browserProfile: join(dir, 'browser-profile'),
    logs: join(dir, 'logs'),
    env: { TMPDIR: paths.tmp, XDG_CONFIG_HOME: paths.config, XDG_DATA_HOME: paths.data, XDG_CACHE_HOME: paths.cache, XDG_RUNTIME_DIR: paths.runtime },
  };
  await Promise.all([...Object.values(paths), sandbox.userData, sandbox.extensions, sandbox.serverData, sandbox.logs].map((path) => mkdir(path, { recursive: true, mode: 0o755 })));
  return sandbox;
}

/** VS Code's user settings: no welcome page, trust prompt, telemetry, update checks or tips; plus the test's own. */
export async function writeUserSettings(sandbox: Sandbox, extra: Record<string, unknown>): Promise<void> {
  const settings = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'workbench.tips.enabled': false,
    'files.autoSave': 'off',
    'git.enabled': false,
    'chat.disableAIFeatures': true,
    ...extra,
  };
  await mkdir(join(sandbox.userData, 'User'), { recursive: true });
  await writeFile(join(sandbox.userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** A copy of the fixture workspace: the tests edit and save its files. */
export async function copyWorkspace(project: Project, sandbox: Sandbox, name: string): Promise<string> {
  const workspace = join(sandbox.dir, name);
  await cp(project.fixtureWorkspace, workspace, { recursive: true });
  return workspace;
}
