import type { Finding } from '../findings';
import type { Analysis, Linter } from '../lint';
import type { LintOptions } from '../options';
import type { CreatedFile, Fix } from '../rules/rule';
import { applyEdits } from './apply';
import { besideCreated, createdFileOptions } from './created-files';

/**
 * Every fix is tried before it is offered: applied to the file, the file linted again with the same
 * options (so the same framework runs it), and kept only when the finding it fixes is gone and no
 * error appears that was not there before — in the file, or in a migration file the fix creates.
 * Errors are compared by rule and statement text, not offsets, since a fix moves what follows it.
 * A fix that fails is dropped, and the finding says why.
 *
 * One finding's fixes are tried one by one (the editor asks per finding). All of a file's (the CLI)
 * are tried together where their edits do not touch: the fixed file must then have lost each fixed
 * finding and gained no error. When it has not, each failure is laid at the fixes whose edits wrote
 * the statement it is on, or whose finding is still there: those are tried alone (or, several laid
 * at one failure, together), the others together again; a failure on a statement no fix wrote (a fix
 * changed its surroundings) halves the group instead. A file of hundreds of fixes is so linted a few
 * times more than it has failing fixes, where halving took hundreds of analyses (postgres-regress's
 * alter_table.sql: 26 instead of 210).
 */
export class FixVerifier {
  private readonly verified = new WeakMap<Finding, Finding>();
  private readonly outcomes = new Map<Fix, Failure | undefined>();
  /** Each fix's created migrations, linted once whichever groups the fix is tried in. */
  private readonly createdFileOutcomes = new Map<Fix, Failure | undefined>();
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

  /**
   * Records the outcome of every fix of the group: all pass together; or a fix a failure is laid at
   * alone is tried alone, fixes a failure is laid at together are tried together, fixes that fail
   * only beside others (see `trial`) are tried apart from them, and the rest together again (halved
   * when a failure is laid at none). A fix's outcome is so always that of a group that passed with
   * it, or its own, tried alone.
   */
  private tryGroup(group: readonly Candidate[]): void {
    const trial = this.trial(group);
    if (!trial.failure || group.length === 1) {
      for (const { fix } of group) this.outcomes.set(fix, trial.failure);
      return;
    }
    const bucketOf = (candidate: Candidate) => (['alone', 'together', 'apart'] as const).find((bucket) => trial.laidAt[bucket].has(candidate)) ?? 'others';
    const buckets = { alone: [] as Candidate[], together: [] as Candidate[], apart: [] as Candidate[], others: [] as Candidate[] };
    for (const candidate of group) buckets[bucketOf(candidate)].push(candidate);
    for (const candidate of buckets.alone) this.tryGroup([candidate]);
    for (const part of [buckets.together, buckets.apart]) if (part.length > 0) this.tryPart(part, group);
    if (buckets.others.length > 0) {
      if (trial.unattributed) this.tryHalves(buckets.others);
      else this.tryPart(buckets.others, group);
    }
  }

  /** A part of a group that failed: on its own, unless it is the whole group (then halved, so that every step gets smaller). */
  private tryPart(part: readonly Candidate[], group: readonly Candidate[]): void {
    if (part.length < group.length) this.tryGroup(part);
    else this.tryHalves(part);
  }

  private tryHalves(group: readonly Candidate[]): void {
    const half = Math.ceil(group.length / 2);
    this.tryGroup(group.slice(0, half));
    if (half < group.length) this.tryGroup(group.slice(half));
  }

  /**
   * The group's fixes applied together and the file linted again: its first failure (the one a
   * fix tried alone reports), and the fixes each failure is laid at. A new error is laid at the
   * fixes that wrote its statement. A finding left over is laid at the fixes of its rule whose
   * finding it is or that wrote its statement; a fix of another rule that wrote it (a CREATE INDEX
   * without IF NOT EXISTS that a foreign-key fix adds, say) fails only beside this rule's fixes,
   * since alone it is not checked for this rule.
   */
  private trial(group: readonly Candidate[]): Trial {
    const baseline = (this.baseline ??= keyed(this.analysis));
    this.previous ??= this.linter.lintIncrementally(this.source, this.options, undefined);
    // A file a fix creates beside the migration (diesel's metadata.toml, a Flyway .conf) changes how the runner runs it.
    const created = group.flatMap(({ fix }) => fix.createFiles ?? []);
    const options = created.length === 0 ? this.options : besideCreated(this.options, created);
    const fixed = this.linter.lintIncrementally(applyEdits(this.source, group.flatMap(({ fix }) => fix.edits)), options, this.previous);
    const after = keyed(fixed);
    const written = new WrittenStatements(group, fixed);
    const trial = new Trial();
    for (const error of newErrors(baseline.errors, after.errors)) trial.fail({ kind: 'new-error', where: 'the file', finding: error }, written.by(error));
    // Each fixed finding must be gone: fewer findings of its rule, and fewer on its statement's text, by as many as the group fixes.
    const expectedGone = new Map<string, Candidate[]>();
    for (const candidate of group) {
      const { finding } = candidate;
      for (const key of [finding.ruleId, textKey(finding.ruleId, this.keyOf(finding))]) {
        if (!expectedGone.has(key)) expectedGone.set(key, []);
        expectedGone.get(key)!.push(candidate);
      }
    }
    const inExcess = (key: string) => (after.counts.get(key) ?? 0) > (baseline.counts.get(key) ?? 0) - (expectedGone.get(key)?.length ?? 0);
    for (const [key, fixing] of expectedGone) {
      if (!inExcess(key)) continue;
      const ruleId = fixing[0]!.finding.ruleId;
      for (const entry of after.byKey.get(key) ?? []) {
        const entryKey = textKey(ruleId, entry.text);
        if (!inExcess(entryKey)) continue;
        const laidAt = [...(expectedGone.get(entryKey) ?? []), ...written.by(entry.finding)];
        trial.fail(
          { kind: 'still-there' },
          laidAt.filter((candidate) => candidate.finding.ruleId === ruleId),
          laidAt.filter((candidate) => candidate.finding.ruleId !== ruleId),
        );
      }
    }
    if (trial.failure) return trial;
    for (const candidate of group) {
      const failure = this.createdFileFailure(candidate.fix);
      if (failure) trial.fail(failure, [candidate]);
    }
    return trial;
  }

  /** Only migrations are linted: a .conf or metadata.toml beside them is read through readSibling. */
  private createdFileFailure(fix: Fix): Failure | undefined {
    if (this.createdFileOutcomes.has(fix)) return this.createdFileOutcomes.get(fix);
    let failure: Failure | undefined;
    for (const created of (fix.createFiles ?? []).filter((file: CreatedFile) => file.path.endsWith('.sql'))) {
      const analysis = this.linter.lint(created.text, createdFileOptions(this.options, fix.createFiles!, created));
      const error = analysis.findings.find((candidate) => candidate.severity === 'error');
      if (error) {
        failure = { kind: 'new-error', where: created.path, finding: error };
        break;
      }
    }
    this.createdFileOutcomes.set(fix, failure);
    return failure;
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
 * What trying a group found: its first failure, and the fixes the failures are laid at: alone (to
 * be tried alone), together (several, to be tried together), apart (to be tried apart from the rest);
 * and whether a failure is laid at none.
 */
class Trial {
  failure: Failure | undefined;
  readonly laidAt = { alone: new Set<Candidate>(), together: new Set<Candidate>(), apart: new Set<Candidate>() };
  unattributed = false;

  /** `own`: the fixes whose failure it is (alone, when one); `apart`: fixes that fail only beside others of the group. */
  fail(failure: Failure, own: readonly Candidate[], apart: readonly Candidate[] = []): void {
    this.failure ??= failure;
    const owners = new Set(own);
    if (owners.size === 0 && apart.length === 0) this.unattributed = true;
    for (const candidate of owners) this.laidAt[owners.size === 1 ? 'alone' : 'together'].add(candidate);
    for (const candidate of apart) this.laidAt.apart.add(candidate);
  }
}

/** Where each fix of a group wrote in the fixed text: the fixes a finding there is laid at. */
class WrittenStatements {
  private readonly written: { start: number; end: number; candidate: Candidate }[] = [];

  constructor(
    group: readonly Candidate[],
    private readonly fixed: Pick<Analysis, 'statements'>,
  ) {
    // In text order, each edit moved by the length the edits before it added or removed.
    const edits = group.flatMap((candidate) => candidate.fix.edits.map((edit) => ({ edit, candidate })));
    edits.sort((a, b) => a.edit.range.start - b.edit.range.start || a.edit.range.end - b.edit.range.end);
    let shift = 0;
    for (const { edit, candidate } of edits) {
      const start = edit.range.start + shift;
      this.written.push({ start, end: start + edit.newText.length, candidate });
      shift += edit.newText.length - (edit.range.end - edit.range.start);
    }
  }

  /** The fixes that wrote in (or at the edge of) the statement of a finding of the fixed file. */
  by(finding: Finding): Candidate[] {
    const range = this.fixed.statements[finding.statementIndex]?.range ?? finding.range;
    return this.written.filter(({ start, end }) => start <= range.end && range.start <= end).map(({ candidate }) => candidate);
  }
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
  /** Findings by rule, and by rule and statement text (`textKey`). */
  byKey: Map<string, KeyedFinding[]>;
  counts: Map<string, number>;
}

const textKey = (ruleId: string, text: string) => `${ruleId}\0${text}`;

function keyed(analysis: Pick<Analysis, 'statements' | 'findings'>): Baseline {
  const all = analysis.findings.map((finding) => ({ finding, text: statementText(analysis, finding) }));
  const byKey = new Map<string, KeyedFinding[]>();
  for (const entry of all) {
    for (const key of [entry.finding.ruleId, textKey(entry.finding.ruleId, entry.text)]) {
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key)!.push(entry);
    }
  }
  const counts = new Map([...byKey].map(([key, entries]) => [key, entries.length]));
  return { all, errors: all.filter((entry) => entry.finding.severity === 'error'), byKey, counts };
}

const statementText = (analysis: Pick<Analysis, 'statements'>, finding: Finding) => (analysis.statements[finding.statementIndex]?.text ?? '').replace(/\s+/g, ' ').trim();

/**
 * The errors after the fix that were not there before: matched first by rule and statement text; an
 * error left over is then matched to one of the same rule whose statement the fix rewrote (its
 * text changed, the problem did not).
 */
function newErrors(before: readonly KeyedFinding[], after: readonly KeyedFinding[]): Finding[] {
  const remaining = new Map<string, number>();
  for (const { finding, text } of before) remaining.set(textKey(finding.ruleId, text), (remaining.get(textKey(finding.ruleId, text)) ?? 0) + 1);
  const unmatched: Finding[] = [];
  for (const { finding, text } of after) {
    const key = textKey(finding.ruleId, text);
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
