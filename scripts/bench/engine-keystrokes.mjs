// `node scripts/bench/engine-keystrokes.mjs <style> <lines> [edits]`: bundles the engine-level keystroke figures (TypeScript) and runs them.
import { bundleAndRun } from './bundle-and-run.mjs';

await bundleAndRun('scripts/bench/engine-keystrokes.ts', { format: 'cjs' });
