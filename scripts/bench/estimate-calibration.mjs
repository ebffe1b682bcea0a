// `npm run bench:estimate -- [--sizes 100k,1M,3M] [--runs 3] [--major 17] [--cold] [--cache FILE] [--fresh] [--report-only]`: bundles the estimate calibration bench (TypeScript) and runs it.
import { bundleAndRun } from './bundle-and-run.mjs';

await bundleAndRun('scripts/bench/estimate-calibration.ts');
