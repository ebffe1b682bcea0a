import { applyFix as applyEngineFix } from '../../server/src/engine/fixes/apply';
import { Linter } from '../../server/src/engine/lint';
import type { Finding } from '../../server/src/engine/findings';
import type { LintOptions } from '../../server/src/engine/options';
import { HYGIENE_RULES } from '../../server/src/engine/rules/catalogue/hygiene';
import type { Fix } from '../../server/src/engine/rules/rule';

const linter = await Linter.create();

export function lint(source: string, options: Partial<LintOptions> = {}): Finding[] {
  return linter.lint(source, options).findings;
}

const HYGIENE_RULE_IDS = new Set(HYGIENE_RULES.map((rule) => rule.id));

/** Findings without the hygiene rules (timeouts, idempotency, type advice), which fire beside most lock rules. */
export function lintWithoutHygiene(source: string, options: Partial<LintOptions> = {}): Finding[] {
  return lint(source, options).filter((finding) => !HYGIENE_RULE_IDS.has(finding.ruleId));
}

export function findingsOf(ruleId: string, source: string, options: Partial<LintOptions> = {}): Finding[] {
  return lint(source, options).filter((finding) => finding.ruleId === ruleId);
}

/** Applies a fix's edits (non-overlapping, any order) to the source: the engine's own function. */
export const applyFix = (source: string, fix: Fix): string => applyEngineFix(source, fix);

export const textOf = (source: string, finding: Finding) => source.slice(finding.range.start, finding.range.end);
