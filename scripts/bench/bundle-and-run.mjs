// Bundles a benchmark written in TypeScript into dist/ and runs it with the command line's arguments.
// Packages stay external: inside dist/ they resolve from the project's node_modules.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';

/** `format`: esm, or cjs for code that needs CommonJS (e.g. __dirname in a package). */
export async function bundleAndRun(entry, { format = 'esm' } = {}) {
  const outfile = `dist/bench-${basename(entry, '.ts')}.${format === 'esm' ? 'mjs' : 'cjs'}`;
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format, packages: 'external', logLevel: 'warning' });
  try {
    execFileSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
  } finally {
    rmSync(outfile, { force: true });
  }
}
