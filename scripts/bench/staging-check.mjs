// `node scripts/bench/staging-check.mjs [rows] [runs] [major]`: bundles the staging-check benchmark (TypeScript) and runs it.
// ESM inside dist/, so its packages resolve from the project's node_modules.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const outfile = 'dist/bench-staging-check.mjs';
await build({ entryPoints: ['scripts/bench/staging-check.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'esm', packages: 'external', logLevel: 'warning' });
try {
  execFileSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
} finally {
  rmSync(outfile, { force: true });
}
