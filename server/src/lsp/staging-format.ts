// The staging report's wording lives in the engine (server/src/engine/staging/format.ts): one set of
// formatters for the CLI, the checklist, the diagnostics and the report view.
export { blockingOf, describeBlocked, describeDuration, describeEstimate, describeProgress, formatDuration, formatRows } from '../engine/staging/format';
