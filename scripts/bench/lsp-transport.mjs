// `node scripts/bench/lsp-transport.mjs [runs]`: builds Lockguard, bundles the transport benchmark (TypeScript) and runs it.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const outfile = 'dist/bench-lsp-transport.cjs';
await build({ entryPoints: ['scripts/bench/lsp-transport.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
try {
  execFileSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
} finally {
  rmSync(outfile, { force: true });
}
