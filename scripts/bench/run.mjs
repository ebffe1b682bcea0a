// `npm run bench`: builds Lockguard, bundles the benchmark (TypeScript) and runs it with the given arguments.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'lockguard-bench-bundle-'));
try {
  const outfile = join(dir, 'bench.cjs');
  // Packages stay external: they resolve from the project's node_modules through NODE_PATH.
  await build({ entryPoints: ['scripts/bench/main.ts'], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning' });
  execFileSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules') } });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
