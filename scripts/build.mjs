// Bundles the extension client, the language server and the CLI into dist/.
// The parser's WebAssembly file is loaded from next to the bundle, so it is copied there.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const outdir = 'dist';
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

await mkdir(outdir, { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: { client: 'client/src/extension.ts' }, outdir, external: ['vscode'] }),
  build({ ...common, entryPoints: { server: 'server/src/lsp/main.ts', cli: 'server/src/cli/main.ts' }, outdir }),
  copyFile(join(dirname(require.resolve('libpg-query')), 'libpg-query.wasm'), join(outdir, 'libpg-query.wasm')),
]);
