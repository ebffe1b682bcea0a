import { IncrementalRules, type RuleResults } from './incremental';
import { buildFile, type BuiltFile } from './model/build';
import { sameRelation, type RelationName } from './model/relations';
import { nodeAs, type Statement } from './model/statement';
import { defaultOptions, type LintOptions, type RuleSetting } from './options';
import { PostgresParser } from './parse/parser';
import { ALL_RULES, ruleById } from './rules/registry';
import type { Report, Rule, RuleContext } from './rules/rule';
import { resplitFile, splitFile } from './text/splitter';
import { bySeverityThenPosition, type Finding } from './findings';
import { findSuppressions, suppressionEdit, type Suppression } from './suppressions';

export interface Analysis {
  statements: Statement[];
  findings: Finding[];
  /**
   * What the analysis of an edited version of the text can take over (see `Linter.lint`). A later
   * analysis that takes it over shares its statement objects and reassigns their transactions.
   */
  reusable?: { built: BuiltFile; rules: RuleResults };
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
    const { statements } = buildFile(splitFile(source), this.parser, resolved);
    const context = createContext(source, statements, resolved);
    const enabled = this.enabledRules(resolved);
    const report = reporter(source);
    for (const statement of statements) {
      for (const rule of enabled) for (const found of this.runRule(rule, statement, context)) report(rule, statement, found);
    }
    return { statements, findings: finish(source, statements, report.findings, resolved) };
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
    const { statements } = built;
    const context = createContext(source, statements, resolved);
    const rules = new IncrementalRules(context, this.enabledRules(resolved), reusable?.rules);
    const report = reporter(source);
    for (const statement of statements) {
      rules.check(
        statement,
        (rule, recording) => this.runRule(rule, statement, recording),
        (rule, found) => report(rule, statement, found),
      );
    }
    return { statements, findings: finish(source, statements, report.findings, resolved), reusable: { built, rules: rules.results } };
  }

  private enabledRules(options: LintOptions): Rule[] {
    return this.rules.filter((rule) => options.rules[rule.id] !== 'off');
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

/** Applies suppressions and configured severities, and orders the findings. */
function finish(source: string, statements: readonly Statement[], raw: Finding[], options: LintOptions): Finding[] {
  const suppressions = findSuppressions(source, statements);
  return [...applySuppressions(raw, suppressions), ...auditSuppressions(suppressions, raw, options)]
    .map((finding) => withConfiguredSeverity(finding, options.rules[finding.ruleId]))
    .filter((finding) => options.rules[finding.ruleId] !== 'off')
    .sort(bySeverityThenPosition);
}

const isSuppressedBy = (finding: Finding, suppression: Suppression) =>
  suppression.rules.includes(finding.ruleId) && (suppression.scope === 'file' || suppression.statementIndex === finding.statementIndex);

function applySuppressions(findings: Finding[], suppressions: readonly Suppression[]): Finding[] {
  return findings.filter((finding) => !suppressions.some((suppression) => isSuppressedBy(finding, suppression)));
}

/** Suppressions without a reason, and suppressions that silence nothing. */
function auditSuppressions(suppressions: readonly Suppression[], findings: readonly Finding[], options: LintOptions): Finding[] {
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
    for (const rule of suppression.rules) {
      if (!ruleById(rule)) {
        problems.push(audit('unused-suppression', `There is no Lockguard rule named "${rule}": this suppression silences nothing. Check the id in the diagnostic you meant to ignore.`, suppression));
      } else if (options.rules[rule] !== 'off' && !findings.some((finding) => finding.ruleId === rule && isSuppressedBy(finding, suppression))) {
        const where = suppression.scope === 'file' ? 'anywhere in this file' : suppression.statementIndex === undefined ? 'here: no statement follows it' : 'on the statement after it';
        problems.push(audit('unused-suppression', `Nothing to ignore: ${rule} reports nothing ${where}. Remove the comment, or move it above the statement it is meant for.`, suppression));
      }
    }
    return problems;
  });
}

function withConfiguredSeverity(finding: Finding, setting: RuleSetting | undefined): Finding {
  return setting === undefined || setting === 'off' ? finding : { ...finding, severity: setting };
}

function toFinding(rule: Rule, statement: Statement, report: Report, source: string, newline: string): Finding {
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

function createContext(source: string, statements: Statement[], options: LintOptions): RuleContext {
  // By name: rules ask for every statement, and a schema dump creates thousands of tables.
  const createdByName = new Map<string, { relation: RelationName; index: number }[]>();
  for (const statement of statements) {
    for (const relation of createdRelations(statement)) {
      const entries = createdByName.get(relation.name);
      if (entries) entries.push({ relation, index: statement.index });
      else createdByName.set(relation.name, [{ relation, index: statement.index }]);
    }
  }
  return {
    source,
    statements,
    options,
    isCreatedInFile: (relation: RelationName, beforeStatement: number) =>
      (createdByName.get(relation.name) ?? []).some((entry) => entry.index < beforeStatement && sameRelation(entry.relation, relation)),
  };
}

/** Tables and materialized views a statement creates. */
function createdRelations(statement: Statement): RelationName[] {
  if (nodeAs(statement, 'CreateStmt') || nodeAs(statement, 'CreateTableAsStmt')) {
    return statement.kind === 'parsed' ? statement.targets : [];
  }
  return [];
}
