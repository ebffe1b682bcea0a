import { IncrementalRules, textChange, type RuleResults } from './incremental';
import { buildFile, type BuiltFile } from './model/build';
import type { MigrationModel } from './model/migration';
import type { RelationName } from './model/relations';
import type { SchemaHistory } from './model/schema/objects';
import { FileSchemas, type KeptReplays } from './model/schema/file-schemas';
import type { Statement } from './model/statement';
import { defaultOptions, type LintOptions, type RuleSetting } from './options';
import { PostgresParser } from './parse/parser';
import { ALL_RULES, ruleById } from './rules/registry';
import { isRuleEnabled, type Report, type Rule, type RuleContext } from './rules/rule';
import { resplitFile, splitFile } from './text/splitter';
import { bySeverityThenPosition, type Finding } from './findings';
import { foldFindings } from './fold-findings';
import { findSuppressions, suppressionEdit, type Suppression } from './suppressions';

export interface Analysis {
  statements: Statement[];
  /** How the migration runner executes the file (for hovers and the staging check); undefined when nothing was analysed. */
  migration: MigrationModel | undefined;
  findings: Finding[];
  /**
   * What the analysis of an edited version of the text can take over (see `Linter.lint`). A later
   * analysis that takes it over shares its statement objects and reassigns their transactions.
   */
  reusable?: { built: BuiltFile; rules: RuleResults; schemas: KeptReplays };
}

/** A rule that threw on a statement: a bug in Lockguard, to be logged where its developers can see it. */
export interface RuleFailure {
  ruleId: string;
  statementText: string;
  error: unknown;
}

export interface LinterHooks {
  /**
   * Called on the first failure of each rule with each error message; not again while the user keeps
   * typing in (or re-analysing) a statement that fails the same way.
   */
  onRuleFailure?(failure: RuleFailure): void;
}

/** The analysis engine: split, parse, model, run the rules. Create one with `Linter.create()`. */
export class Linter {
  /** Rule and error message of every failure already passed to `onRuleFailure`. */
  private readonly reportedFailures = new Set<string>();

  private constructor(
    private readonly parser: PostgresParser,
    private readonly rules: readonly Rule[],
    private readonly hooks: LinterHooks,
  ) {}

  static async create(rules: readonly Rule[] = ALL_RULES, hooks: LinterHooks = {}): Promise<Linter> {
    return new Linter(await PostgresParser.load(), rules, hooks);
  }

  /** Analyses a file once (the CLI): nothing is kept for a next analysis. */
  lint(source: string, options: Partial<LintOptions> = {}): Analysis {
    const resolved = { ...defaultOptions(), ...options };
    const { statements, migration } = buildFile(splitFile(source), this.parser, resolved);
    const context = createContext(source, statements, resolved, migration);
    const enabled = this.enabledRules(resolved);
    const report = reporter(source);
    for (const statement of statements) {
      for (const rule of rulesFor(statement, enabled)) for (const found of this.runRule(rule, statement, context)) report(rule, statement, found);
    }
    return { statements, migration, findings: finish(source, statements, report.findings, resolved, migration) };
  }

  /**
   * Analyses a file that is being edited (an editor's document). With `previous`, the analysis of the
   * version before the edit, only what the edit changed is split, parsed and checked again: the
   * statements around the edit are taken over, and so is what each rule found on them where nothing
   * it depended on changed. Gives the same findings as `lint`.
   */
  lintIncrementally(source: string, options: Partial<LintOptions>, previous: Analysis | undefined): Analysis {
    const resolved = { ...defaultOptions(), ...options };
    const reusable = previous?.reusable;
    const split = reusable ? resplitFile(reusable.built.split, source) : splitFile(source);
    const built = buildFile(split, this.parser, resolved, reusable?.built);
    const { statements, migration } = built;
    // The schema replays continue the previous analysis's from the first statement the edit changed.
    const schemas = new FileSchemas(statements, resolved.priorSchema, reusable?.schemas);
    const context = createContext(source, statements, resolved, migration, schemas);
    const enabled = this.enabledRules(resolved);
    const rules = new IncrementalRules(context, enabled, reusable?.rules, reusable && textChange(reusable.built.split.text, source));
    const checksSyntaxOnly = new IncrementalRules(context, rulesFor(ROLLBACK, enabled), undefined, undefined);
    const report = reporter(source);
    for (const statement of statements) {
      if (statement.section === 'other-database') continue;
      (statement.section === 'up' ? rules : checksSyntaxOnly).check(
        statement,
        (rule, recording) => this.runRule(rule, statement, recording),
        (rule, found) => report(rule, statement, found),
      );
    }
    return { statements, migration, findings: finish(source, statements, report.findings, resolved, migration), reusable: { built, rules: rules.results, schemas: schemas.kept } };
  }

  private enabledRules(options: LintOptions): Rule[] {
    return this.rules.filter((rule) => isRuleEnabled(rule, options));
  }

  /** A rule that throws must not take the analysis down: the failure becomes a finding on that statement. */
  private runRule(rule: Rule, statement: Statement, context: RuleContext): Report[] {
    try {
      return rule.check(statement, context);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const key = `${rule.id}\0${reason}`;
      if (!this.reportedFailures.has(key)) {
        this.reportedFailures.add(key);
        this.hooks.onRuleFailure?.({ ruleId: rule.id, statementText: statement.text, error });
      }
      return [
        {
          message: `Internal error: Lockguard's rule ${rule.id} failed on this statement (${reason}), so the statement was not checked for it. The other rules still ran. Please report this with the statement.`,
          severity: 'warning',
        },
      ];
    }
  }
}

/** Collects the rules' reports as findings. */
function reporter(source: string): ((rule: Rule, statement: Statement, report: Report) => void) & { findings: Finding[] } {
  const newline = source.includes('\r\n') ? '\r\n' : '\n';
  const findings: Finding[] = [];
  return Object.assign((rule: Rule, statement: Statement, report: Report) => void findings.push(toFinding(rule, statement, report, source, newline)), { findings });
}

/**
 * Applies suppressions and configured severities, drops the fixes a file the runner seals cannot take, orders the
 * findings, and folds those that add to another (./fold-findings.ts).
 */
function finish(source: string, statements: readonly Statement[], raw: Finding[], options: LintOptions, migration: MigrationModel | undefined): Finding[] {
  const suppressions = findSuppressions(source, statements);
  const shown = [...applySuppressions(raw, suppressions, statements), ...auditSuppressions(suppressions, raw, options, statements)]
    .map((finding) => withConfiguredSeverity(finding, options.rules[finding.ruleId]))
    .filter((finding) => options.rules[finding.ruleId] !== 'off')
    .map(withoutEditsOf(migration?.framework?.sealed?.(options.filePath ?? '')))
    .sort(bySeverityThenPosition);
  return foldFindings(shown);
}

/** A finding without the fixes that edit the file, when the runner refuses an edited file (`sealed`: why). */
const withoutEditsOf = (sealed: string | undefined) => (finding: Finding): Finding => {
  if (sealed === undefined || !finding.fixes.some((fix) => fix.edits.length > 0)) return finding;
  const kept = finding.fixes.filter((fix) => fix.edits.length === 0);
  return { ...finding, fixes: kept, noFixReason: kept.length > 0 ? finding.noFixReason : sealed };
};

/** A suppression above a statement also covers the statements it runs (a DO block's), which lie within it. */
function isSuppressedBy(finding: Finding, suppression: Suppression, statements: readonly Statement[]): boolean {
  if (!suppression.rules.includes(finding.ruleId)) return false;
  if (suppression.scope === 'file' || suppression.statementIndex === finding.statementIndex) return true;
  const suppressed = suppression.statementIndex === undefined ? undefined : statements[suppression.statementIndex];
  const flagged = statements[finding.statementIndex];
  return suppressed !== undefined && flagged !== undefined && flagged.range.start >= suppressed.range.start && flagged.range.end <= suppressed.range.end;
}

function applySuppressions(findings: Finding[], suppressions: readonly Suppression[], statements: readonly Statement[]): Finding[] {
  return findings.filter((finding) => !suppressions.some((suppression) => isSuppressedBy(finding, suppression, statements)));
}

/** Suppressions without a reason, and suppressions that silence nothing. */
function auditSuppressions(suppressions: readonly Suppression[], findings: readonly Finding[], options: LintOptions, statements: readonly Statement[]): Finding[] {
  const audit = (ruleId: string, message: string, suppression: Suppression): Finding => ({
    ruleId,
    severity: 'warning',
    message,
    range: suppression.range,
    statementIndex: suppression.statementIndex ?? 0,
    fixes: [],
    noFixReason: undefined,
    lock: undefined,
    safeAlternative: undefined,
    related: [],
    suppression: undefined,
  });
  return suppressions.flatMap((suppression) => {
    const problems: Finding[] = [];
    if (suppression.rules.length === 0) {
      problems.push(audit('unused-suppression', 'This lockguard-ignore comment names no rule, so it silences nothing. Write `-- lockguard-ignore <rule>: <reason>`.', suppression));
      return problems;
    }
    if (!suppression.reason) {
      problems.push(audit('suppression-without-reason', `Say why ignoring ${suppression.rules.join(', ')} is safe here: write the reason after a colon, e.g. \`-- lockguard-ignore ${suppression.rules[0]}: the table has 200 rows\`.`, suppression));
    }
    for (const id of suppression.rules) {
      const rule = ruleById(id);
      if (!rule) {
        problems.push(audit('unused-suppression', `There is no Lockguard rule named "${id}": this suppression silences nothing. Check the id in the diagnostic you meant to ignore.`, suppression));
      } else if (isRuleEnabled(rule, options) && !findings.some((finding) => finding.ruleId === id && isSuppressedBy(finding, suppression, statements))) {
        const where = suppression.scope === 'file' ? 'anywhere in this file' : suppression.statementIndex === undefined ? 'here: no statement follows it' : 'on the statement after it';
        problems.push(audit('unused-suppression', `Nothing to ignore: ${id} reports nothing ${where}. Remove the comment, or move it above the statement it is meant for.`, suppression));
      }
    }
    return problems;
  });
}

function withConfiguredSeverity(finding: Finding, setting: RuleSetting | undefined): Finding {
  return setting === undefined || setting === 'off' ? finding : { ...finding, severity: setting };
}

function toFinding(rule: Rule, statement: Statement, report: Report, source: string, newline: string): Finding {
  // Inside a DO block a statement's safe form often cannot run at all (CONCURRENTLY), and its text may
  // not be written as it runs: no rewrite is offered there, and the rule may say what to do by hand.
  if (statement.kind === 'parsed' && statement.runBy && ((report.fixes?.length ?? 0) > 0 || report.noFixReason)) {
    report = { ...report, fixes: [], noFixReason: report.noFixReasonInDoBlock ?? IN_DO_BLOCK };
  }
  return {
    ruleId: rule.id,
    severity: report.severity ?? rule.severity,
    message: report.message,
    range: report.range ?? statement.range,
    statementIndex: statement.index,
    fixes: report.fixes ?? [],
    noFixReason: report.noFixReason,
    lock: report.lock,
    safeAlternative: report.safeAlternative,
    related: report.related ?? [],
    suppression: suppressionEdit(source, statement, rule.id, newline),
  };
}

const IN_DO_BLOCK = 'This statement runs inside a DO block: move it out of the block to rewrite it (a DO block runs as one statement, in one transaction, where CONCURRENTLY cannot run).';

/**
 * The rules that look at a statement: all of them where it runs when the migration is applied; in a
 * rollback or verification section only the syntax check, since nothing else there runs on apply;
 * none in SQL written for another database, which PostgreSQL never sees.
 */
function rulesFor(statement: Pick<Statement, 'section'>, enabled: readonly Rule[]): readonly Rule[] {
  if (statement.section === 'other-database') return [];
  return statement.section === 'up' ? enabled : enabled.filter((rule) => SECTION_INDEPENDENT_RULES.has(rule.id));
}

const SECTION_INDEPENDENT_RULES: ReadonlySet<string> = new Set(['syntax-error']);
const ROLLBACK = { section: 'down' } as const;

function createContext(source: string, statements: Statement[], options: LintOptions, migration: MigrationModel, schemas = new FileSchemas(statements, options.priorSchema, undefined)): RuleContext {
  // Each catalogue is built on its first question, once per analysis; questions are then lookups (model/schema/versions.ts).
  // Which tables are new needs only the relations: that replay is cheap enough for every keystroke.
  const schema: SchemaHistory = { before: (statementIndex) => schemas.everything.before(statementIndex) };
  return {
    source,
    statements,
    options,
    migration,
    schema,
    // Names resolve as PostgreSQL resolves them, and a table keeps its new-ness through renames.
    isCreatedInFile: (relation: RelationName, beforeStatement: number) =>
      schemas.relations.before(beforeStatement).isNew(relation),
  };
}
