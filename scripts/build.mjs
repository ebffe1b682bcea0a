// Bundles the extension client, the language server and the CLI into dist/.
// The parser's WebAssembly file is loaded from next to the bundle, so it is copied there; so is PGlite
// (the staging check's embedded database runs it in a worker thread, which cannot use the bundle).
import { build } from 'esbuild';
import { chmod, copyFile, cp, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'dist';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

await mkdir(outdir, { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir, external: ['vscode'] }),
  build({ ...common, entryPoints: { server: 'server/src/lsp/main.ts', cli: 'server/src/cli/main.ts' }, outdir }),
  copyFile(join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'), join(outdir, 'libpg-query.wasm')),
  copyPglite(join(outdir, 'pglite')),
]);

/**
 * PGlite's runtime: its CommonJS entry, chunks, WebAssembly and data files; no extensions, maps or types.
 * Beside them, the staging check's worker and the ready-made cluster it starts from (made once by
 * PGlite's initdb and kept in node_modules/.cache: the check then never runs initdb, not even on its first run).
 */
async function copyPglite(target) {
  const packageDir = dirname(dirname(require.resolve('@electric-sql/pglite')));
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await copyFile(join(packageDir, 'package.json'), join(target, 'package.json'));
  const skipped = /\.(map|tar\.gz|d\.ts|d\.cts)$/;
  await cp(join(packageDir, 'dist'), join(target, 'dist'), { recursive: true, filter: (source) => !skipped.test(source) });
  const worker = 'server/src/engine/staging/embedded-worker.cjs';
  await copyFile(worker, join(target, 'embedded-worker.cjs'));
  const snapshot = await require(`./../${worker}`).prepareSnapshot(require.resolve('@electric-sql/pglite'), 'node_modules/.cache/lockguard');
  await copyFile(snapshot, join(target, basename(snapshot)));
  await chmod(join(target, basename(snapshot)), 0o644);
}
