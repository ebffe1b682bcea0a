// `node scripts/bench/lsp-transport.mjs [runs]`: builds Lockguard, then bundles the transport benchmark (TypeScript) and runs it.
import { execFileSync } from 'node:child_process';
import { bundleAndRun } from './bundle-and-run.mjs';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
await bundleAndRun('scripts/bench/lsp-transport.ts', { format: 'cjs' });
