import type { Finding } from '../findings';
import type { Analysis, Linter } from '../lint';
import type { LintOptions } from '../options';
import type { CreatedFile, Fix } from '../rules/rule';
import { applyEdits } from './apply';
import { createdFileOptions } from './created-files';

/**
 * Every fix is tried before it is offered: applied to the file, the file linted again with the same
 * options (so the same framework runs it), and kept only when the finding it fixes is gone and no
 * error appears that was not there before — in the file, or in a migration file the fix creates.
 * Errors are compared by rule and statement text, not offsets, since a fix moves what follows it.
 * A fix that fails is dropped, and the finding says why.
 *
 * One finding's fixes are tried one by one (the editor asks per finding). All of a file's (the CLI)
 * are tried together where their edits do not touch: the fixed file must then have lost each fixed
 * finding and gained no error; a group that fails is halved until the failing fixes are alone, so
 * a file of hundreds of fixes is linted a few times rather than hundreds.
 */
export class FixVerifier {
  private readonly verified = new WeakMap<Finding, Finding>();
  private readonly outcomes = new Map<Fix, Failure | undefined>();
  private baseline: Baseline | undefined;
  /**
   * The file analysed once more for the fixed versions to build on: each is analysed incrementally
   * (only the statements a fix touched are checked again). Its own, since an incremental analysis
   * takes over the statements of the one it builds on (see ../lint.ts).
   */
  private previous: Analysis | undefined;

  constructor(
    private readonly linter: Linter,
    private readonly source: string,
    private readonly options: Partial<LintOptions>,
    private readonly analysis: Pick<Analysis, 'statements' | 'findings' | 'reusable'>,
    /** The caller reads no more of `analysis` than its findings, so the fixed versions may build on it (the CLI). */
    mayBuildOnAnalysis = false,
  ) {
    if (mayBuildOnAnalysis && analysis.reusable) this.previous = analysis as Analysis;
  }

  /** The finding with only the fixes that pass; computed once per finding, when first asked. */
  finding(finding: Finding): Finding {
    if (finding.fixes.length === 0) return finding;
    let result = this.verified.get(finding);
    if (!result) {
      for (const fix of finding.fixes) if (!this.outcomes.has(fix)) this.tryGroup([{ finding, fix }]);
      this.verified.set(finding, (result = this.withOutcomes(finding)));
    }
    return result;
  }

  /** Every finding of the analysis, its fixes verified. */
  findings(): Finding[] {
    let pending = this.analysis.findings.flatMap((finding) => finding.fixes.filter((fix) => !this.outcomes.has(fix)).map((fix) => ({ finding, fix })));
    while (pending.length > 0) {
      const { group, rest } = disjointGroup(pending);
      this.tryGroup(group);
      pending = rest;
    }
    return this.analysis.findings.map((finding) => this.finding(finding));
  }

  private withOutcomes(finding: Finding): Finding {
    const failures = finding.fixes.flatMap((fix) => {
      const failure = this.outcomes.get(fix);
      return failure ? [{ fix, failure }] : [];
    });
    if (failures.length === 0) return finding;
    const kept = finding.fixes.filter((fix) => !this.outcomes.get(fix));
    const reason = failures.map(({ fix, failure }) => `Lockguard's rewrite "${fix.title}" is not offered: applied, ${describe(failure)}.`).join(' ');
    return { ...finding, fixes: kept, noFixReason: kept.length > 0 ? finding.noFixReason : [finding.noFixReason, reason].filter(Boolean).join(' ') };
  }

  /** Records the outcome of every fix of the group: all pass together, or each half is tried on its own. */
  private tryGroup(group: readonly Candidate[]): void {
    const failure = this.failureOf(group);
    if (!failure || group.length === 1) {
      for (const { fix } of group) this.outcomes.set(fix, failure);
      return;
    }
    const half = Math.ceil(group.length / 2);
    this.tryGroup(group.slice(0, half));
    this.tryGroup(group.slice(half));
  }

  private failureOf(group: readonly Candidate[]): Failure | undefined {
    const baseline = (this.baseline ??= keyed(this.analysis));
    this.previous ??= this.linter.lintIncrementally(this.source, this.options, undefined);
    const fixed = this.linter.lintIncrementally(applyEdits(this.source, group.flatMap(({ fix }) => fix.edits)), this.options, this.previous);
    const after = keyed(fixed);
    const introduced = newErrors(baseline.errors, after.errors);
    if (introduced.length > 0) return { kind: 'new-error', where: 'the file', finding: introduced[0]! };
    // Each fixed finding must be gone: fewer findings of its rule, and fewer on its statement's text, by as many as the group fixes.
    const expectedGone = new Map<string, number>();
    for (const { finding } of group) {
      for (const key of [finding.ruleId, `${finding.ruleId}\0${this.keyOf(finding)}`]) expectedGone.set(key, (expectedGone.get(key) ?? 0) + 1);
    }
    for (const [key, gone] of expectedGone) if (countOf(after.all, key) > countOf(baseline.all, key) - gone) return { kind: 'still-there' };
    // Only migrations are linted: a .conf or metadata.toml beside them is read through readSibling.
    for (const { fix } of group) {
      for (const created of (fix.createFiles ?? []).filter((file) => file.path.endsWith('.sql'))) {
        const analysis = this.linter.lint(created.text, createdFileOptions(this.options, fix.createFiles!, created));
        const error = analysis.findings.find((candidate) => candidate.severity === 'error');
        if (error) return { kind: 'new-error', where: created.path, finding: error };
      }
    }
    return undefined;
  }

  private keyOf(finding: Finding): string {
    return statementText(this.analysis, finding);
  }
}

interface Candidate {
  finding: Finding;
  fix: Fix;
}

/**
 * Fixes that can be applied together: no two touch the same text (or insert at the same place), and
 * one fix per finding (a finding's fixes are alternatives). The others wait for a next group.
 */
function disjointGroup(candidates: readonly Candidate[]): { group: Candidate[]; rest: Candidate[] } {
  const group: Candidate[] = [];
  const rest: Candidate[] = [];
  const taken: { start: number; end: number }[] = [];
  const findings = new Set<Finding>();
  for (const candidate of candidates) {
    const ranges = candidate.fix.edits.map((edit) => edit.range);
    const clashes = findings.has(candidate.finding) || ranges.some((range) => taken.some((other) => range.start <= other.end && other.start <= range.end));
    if (clashes) {
      rest.push(candidate);
      continue;
    }
    group.push(candidate);
    findings.add(candidate.finding);
    taken.push(...ranges);
  }
  return { group, rest };
}

const countOf = (findings: readonly KeyedFinding[], key: string) =>
  findings.filter((entry) => (key.includes('\0') ? `${entry.finding.ruleId}\0${entry.text}` === key : entry.finding.ruleId === key)).length;

type Failure = { kind: 'new-error'; where: string; finding: Finding } | { kind: 'still-there' };

function describe(failure: Failure): string {
  if (failure.kind === 'still-there') return 'it does not remove this finding';
  return `it leaves ${failure.where} with a new error (${failure.finding.ruleId}: ${firstSentence(failure.finding.message)})`;
}

const firstSentence = (message: string) => /^.*?[.:](?=\s|$)/.exec(message)?.[0].replace(/[.:]$/, '') ?? message;

interface KeyedFinding {
  finding: Finding;
  /** The statement's text, whitespace folded: what identifies it across a fix that moves it. */
  text: string;
}

interface Baseline {
  all: KeyedFinding[];
  errors: KeyedFinding[];
}

function keyed(analysis: Pick<Analysis, 'statements' | 'findings'>): Baseline {
  const all = analysis.findings.map((finding) => ({ finding, text: statementText(analysis, finding) }));
  return { all, errors: all.filter((entry) => entry.finding.severity === 'error') };
}

const statementText = (analysis: Pick<Analysis, 'statements'>, finding: Finding) => (analysis.statements[finding.statementIndex]?.text ?? '').replace(/\s+/g, ' ').trim();

/**
 * The errors after the fix that were not there before: matched first by rule and statement text; an
 * error left over is then matched to one of the same rule whose statement the fix rewrote (its
 * text changed, the problem did not).
 */
function newErrors(before: readonly KeyedFinding[], after: readonly KeyedFinding[]): Finding[] {
  const remaining = new Map<string, number>();
  for (const { finding, text } of before) remaining.set(`${finding.ruleId}\0${text}`, (remaining.get(`${finding.ruleId}\0${text}`) ?? 0) + 1);
  const unmatched: Finding[] = [];
  for (const { finding, text } of after) {
    const key = `${finding.ruleId}\0${text}`;
    const left = remaining.get(key) ?? 0;
    if (left > 0) remaining.set(key, left - 1);
    else unmatched.push(finding);
  }
  const leftByRule = new Map<string, number>();
  for (const [key, left] of remaining) leftByRule.set(key.split('\0')[0]!, (leftByRule.get(key.split('\0')[0]!) ?? 0) + left);
  return unmatched.filter((finding) => {
    const left = leftByRule.get(finding.ruleId) ?? 0;
    if (left === 0) return true;
    leftByRule.set(finding.ruleId, left - 1);
    return false;
  });
}
