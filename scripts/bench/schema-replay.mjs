// `node scripts/bench/schema-replay.mjs [corpus folder]`: bundles the schema replay figures (TypeScript) and runs them.
import { bundleAndRun } from './bundle-and-run.mjs';

await bundleAndRun('scripts/bench/schema-replay.ts');
