import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/lsp-client';
import { scratchDirectory } from './run-cli';
import { zipEntries } from './zip';

const scratch = scratchDirectory('package');
const MB = 1024 * 1024;
const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies?: Record<string, string>; scripts: Record<string, string>; repository: { url: string } };

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function directorySize(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((total, entry) => total + directorySize(join(path, entry)), 0);
}

describe('the npm package', () => {
  // The tests' global setup has built dist/; building again here would rewrite it under the other test
  // files' feet, so prepack (the build npm pack and npm publish run) is checked by name.
  const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch.root], PROJECT_ROOT);
  const [summary] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; size: number; unpackedSize: number; files: { path: string }[] }[];
  const tarball = join(scratch.root, summary!.filename);
  const files = summary!.files.map((file) => file.path);

  it('ships the CLI, its WebAssembly, PGlite and the docs, and nothing of the extension, sources or tests', () => {
    expect(packed.code, packed.stderr).toBe(0);
    expect(files).toEqual(expect.arrayContaining(['bin/lockguard.js', 'bin/code-cache.js', 'dist/cli.js', 'dist/libpg-query.wasm', 'dist/pglite/dist/index.cjs', 'dist/pglite/dist/pglite.wasm', 'docs/rules/create-index-without-concurrently.md', 'docs/cli.md', 'lockguard.schema.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']));
    expect(files.filter((file) => /^(client|server|test|scripts|examples|node_modules|images)\/|\.(ts|map)$|^dist\/(client|server)\.js/.test(file))).toEqual([]);
    // The budget: the CLI, its parser, PGlite, and PGlite's ready-made cluster (3 MB gzipped: no initdb, ~7 s of CPU, on a user's first check).
    expect(summary!.size).toBeLessThan(12 * MB);
  });

  it('builds before packing, and has no dependencies to install: the bundles carry them', () => {
    expect(manifest.scripts).toMatchObject({ prepack: 'npm run build', 'vscode:prepublish': 'npm run build' });
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  describe('installed with npm i -D from the tarball into an empty project', () => {
    const project = join(scratch.root, 'consumer');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    const install = run('npm', ['install', '--save-dev', tarball], project);
    const migrations = join(project, 'migrations');
    mkdirSync(migrations);
    writeFileSync(join(migrations, '001_create_orders.sql'), 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n');
    writeFileSync(join(migrations, '002_index_orders.sql'), 'CREATE INDEX orders_customer_idx ON orders (customer_id);\n');
    const npx = (...args: string[]) => run('npx', ['--no-install', 'lockguard', ...args], project);

    it('installs only lockguard, offline-capable, and reports its size', () => {
      expect(install.code, install.stderr).toBe(0);
      expect(readdirSync(join(project, 'node_modules')).filter((entry) => !entry.startsWith('.'))).toEqual(['lockguard']);
      const size = directorySize(join(project, 'node_modules'));
      console.log(`npm package: tarball ${(summary!.size / MB).toFixed(1)} MB, unpacked ${(summary!.unpackedSize / MB).toFixed(1)} MB, installed ${(size / MB).toFixed(1)} MB`);
      expect(size).toBeLessThan(30 * MB);
    });

    it('npx lockguard --version and help work', () => {
      expect(npx('--version')).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
      expect(npx('lint', '--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: lockguard lint') });
    }, 60_000);

    it('lints, with rule documentation linked on the web in SARIF', () => {
      const text = npx('lint', 'migrations');
      expect(text.code, text.stderr).toBe(1);
      expect(text.stdout).toContain('migrations/002_index_orders.sql:1:1 error create-index-without-concurrently');
      const sarif = JSON.parse(npx('lint', '--format', 'sarif', 'migrations').stdout) as { runs: { tool: { driver: { rules: { helpUri: string }[] } } }[] };
      expect(sarif.runs[0]!.tool.driver.rules[0]!.helpUri).toMatch(new RegExp(`^${manifest.repository.url.replace(/\.git$/, '')}/blob/main/docs/rules/`));
    }, 60_000);

    it('checks a migration on the embedded database (PGlite from the package)', () => {
      const check = npx('check', 'migrations/002_index_orders.sql');
      expect(check.stderr).not.toMatch(/internal error/);
      expect(check.code, check.stderr).toBe(1);
      expect(check.stdout).toMatch(/SHARE/);
    }, 120_000);

    it('runs the language server over stdio', async () => {
      const server = spawn('npx', ['--no-install', 'lockguard', 'lsp', '--stdio'], { cwd: project, stdio: ['pipe', 'pipe', 'inherit'] });
      const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
      server.stdin.write(`Content-Length: ${Buffer.byteLength(initialize)}\r\n\r\n${initialize}`);
      let received = '';
      const reply = await new Promise<string>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => {
          received += chunk.toString('utf8');
          if (received.includes('"id":1')) resolve(received);
        });
        server.once('exit', (code) => reject(new Error(`the server exited (${code}) before answering: ${received}`)));
      });
      server.kill();
      expect(reply).toMatch(/"capabilities":\{/);
    }, 60_000);
  });
});

describe('the .vsix', () => {
  const out = join(scratch.root, 'lockguard.vsix');
  // As `npm run package` does it, on the global setup's build (see above).
  const packaged = run(process.execPath, [join(PROJECT_ROOT, 'scripts', 'package-vsix.mjs'), '--skip-build', '--out', out], PROJECT_ROOT);
  const entries = existsSync(out) ? zipEntries(readFileSync(out)) : [];
  const names = entries.map((entry) => entry.name);
  const text = (name: string) => entries.find((entry) => entry.name === name)!.read().toString('utf8');

  it('is packaged by npm run package with vsce on Node 20, within its size budget', () => {
    expect(packaged.code, packaged.stderr + packaged.stdout).toBe(0);
    const size = statSync(out).size;
    console.log(`vsix: ${(size / MB).toFixed(1)} MB, ${names.length} files`);
    // As the npm package's budget: PGlite's ready-made cluster is 3 MB of it.
    expect(size).toBeLessThan(12 * MB);
  });

  it('holds what the extension loads: bundles, parser, PGlite, docs, snippets, grammar, icon, license, changelog', () => {
    expect(names).toEqual(
      expect.arrayContaining(
        ['dist/client.js', 'dist/server.js', 'dist/server.js.map', 'dist/libpg-query.wasm', 'dist/pglite/dist/index.cjs', 'dist/pglite/dist/pglite.wasm', 'dist/pglite/dist/pglite.data', 'snippets/sql.json', 'docs/rules/create-index-without-concurrently.md', 'package.json', 'readme.md', 'changelog.md', 'LICENSE.txt', 'lockguard.schema.json', 'images/icon.png'].map((name) => `extension/${name}`),
      ),
    );
  });

  it('leaves out the CLI bundle, source maps the extension does not load, sources and tests', () => {
    expect(names.filter((name) => /^extension\/((client|server|test|scripts|node_modules)\/|dist\/(cli\.js|client\.js\.map|e2e\/))|\.ts$/.test(name))).toEqual([]);
    expect(names.filter((name) => name.endsWith('.map'))).toEqual(['extension/dist/server.js.map']);
  });

  it('links its README to the repository, so the marketplace page has no broken links', () => {
    const readme = text('extension/readme.md');
    expect(readme).not.toMatch(/\]\((?!https?:|#)/);
    expect(readme).toContain(`](${manifest.repository.url.replace(/\.git$/, '')}/blob/HEAD/docs/cli.md)`);
  });

  it("has the marketplace's metadata: repository, icon, license, and no npm-only fields", () => {
    const packagedManifest = JSON.parse(text('extension/package.json')) as Record<string, unknown>;
    expect(packagedManifest).toMatchObject({ icon: 'images/icon.png', license: 'MIT', repository: manifest.repository });
    expect(packagedManifest).not.toHaveProperty('files');
    expect(packagedManifest).not.toHaveProperty('devDependencies');
    expect(text('extension.vsixmanifest')).toContain('Microsoft.VisualStudio.Services.Icons.Default');
  });
});
