// `node scripts/bench/staging-check.mjs [rows] [runs] [major]`: bundles the staging-check benchmark (TypeScript) and runs it.
import { bundleAndRun } from './bundle-and-run.mjs';

await bundleAndRun('scripts/bench/staging-check.ts');
