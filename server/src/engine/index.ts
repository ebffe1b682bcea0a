/**
 * The engine's public API: everything the CLI, the language server and the editor client may use.
 * Re-exports only; the layering lint rule (eslint.config.mjs) keeps `cli/`, `lsp/` and `client/` from
 * importing engine modules any other way, so the engine's inside can change without touching them.
 */

// Linting: the linter, its parser and prior schemas, findings and the options they depend on.
export { Linter, type Analysis, type LinterHooks, type RuleFailure } from './lint';
export { PostgresParser } from './parse/parser';
export { PriorSchemas, type PriorSchemaFiles } from './model/schema/prior-schemas';
export { diskFiles } from './prior-schema-files';
export { earlierMigrations } from './model/migration-set';
export { bySeverityThenPosition, SEVERITY_ORDER, type Finding } from './findings';
export {
  DEFAULT_PG_VERSION,
  GENERATED_STYLE_SETTINGS,
  RULE_SETTINGS,
  SUPPORTED_PG_VERSIONS,
  TRANSACTION_MODES,
  type LintOptions,
  type RuleSetting,
  type TransactionMode,
} from './options';

// Rules: the catalogue, the rule and fix types, and the rule documentation.
export { ALL_RULES, ruleById } from './rules/registry';
export { RULE_CATEGORIES, type CreatedFile, type Fix, type Rule, type RuleCategory, type Severity, type TextEdit } from './rules/rule';
export { renderRuleDoc } from './rules/render-docs';
export { ruleDocsUrl } from './docs-links';

// Configuration: lockguard.json and the editor's settings layered over it.
export { CONFIG_FILE_NAME } from './config/project-config';
export { ConfigResolver, type EditorOverrides, type FileSettings } from './config/resolver';

// Fixes: which to apply together, how to apply them, and checking that they lint clean.
export { applyEdits, createdFilePath } from './fixes/apply';
export { chooseFixes, type ChosenFix, type FixChoice, type FixPolicy } from './fixes/choose';
export { FixVerifier } from './fixes/verify';

// What the editor explains beside a finding: traffic blocked by a lock, how a statement runs.
export { trafficImpact } from './locks/lock-modes';
export { describeExecution, type MigrationModel } from './model/migration';
export { uncheckedInDoBlock } from './model/do-block';
export { displayRelation } from './model/relations';
export type { Statement } from './model/statement';
export { findingsAt, statementAt } from './analysis-at';

// The staging check, its report and the words that describe it.
export { checkMigration } from './staging/check';
export type { CheckProblem, CheckProgress, CheckReport, CheckRequest, ProductionSizes, StatementResult } from './staging/report';
export { checklistSections, CHECKLIST_HEADINGS, fillChecklist, findChecklistBlock, type ChecklistSection } from './staging/checklist';
// Two wordings of a duration: `describeDuration` says why one was not measured, the terse one (CLI tables) does not.
export {
  describeDuration as describeDurationTerse,
  describeBlocking,
  describeKnownLocks,
  describeLocks,
  describeOutcome,
  describeTables,
  describeTarget,
} from './staging/describe';
export {
  blockingOf,
  describeBlocked,
  describeDuration,
  describeEstimate,
  describeProgress,
  formatDuration,
  formatRows,
} from './staging/format';
export { renderReport, type RenderedReport, type ReportPage } from './staging/report-html';
export { connect, ConnectionProblem } from './staging/connection';
export { redactSecrets, resolveTarget, TargetError } from './staging/connection-target';
export { statisticsOf } from './staging/sizes';
export { describeMeasuredOn, measuredFacts, measuredFor } from './staging/measured';

// Positions: offsets in a file and their lines and columns.
export { LineIndex, type OffsetRange, type Position } from './text/positions';
