// Bundles the editor tests into dist/e2e/: the suite VS Code loads into its extension host (CommonJS,
// `vscode` provided by the host) and the runners (ES modules, node_modules left to Node to resolve).
// `npm run build` must have built the extension itself (dist/client.js, dist/server.js).
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', outdir: 'dist/e2e' };

await Promise.all([
  build({ ...common, entryPoints: { suite: 'test/e2e/suite/index.ts' }, format: 'cjs', external: ['vscode', 'pg-native'] }),
  build({
    ...common,
    entryPoints: { 'run-code-server': 'test/e2e/run-code-server.ts', 'run-electron': 'test/e2e/run-electron.ts' },
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    packages: 'external',
  }),
]);
