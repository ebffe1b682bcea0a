// `node scripts/bench/cold-start.mjs [file] [runs]`: what a pre-commit hook pays per commit — a single-file
// `lockguard lint` from a fresh process — against squawk on the same file, and where the time goes.
import { bundleAndRun } from './bundle-and-run.mjs';

await bundleAndRun('scripts/bench/cold-start.ts');
