import { buildStatements } from './model/build';
import { sameRelation, type RelationName } from './model/relations';
import { nodeAs, type Statement } from './model/statement';
import { defaultOptions, type LintOptions } from './options';
import { PostgresParser } from './parse/parser';
import { ALL_RULES } from './rules/registry';
import type { Report, Rule, RuleContext } from './rules/rule';
import { splitStatements } from './text/splitter';
import { bySeverityThenPosition, type Finding } from './findings';

export interface Analysis {
  statements: Statement[];
  findings: Finding[];
}

/** The analysis engine: split, parse, model, run the rules. Create one with `Linter.create()`. */
export class Linter {
  private constructor(
    private readonly parser: PostgresParser,
    private readonly rules: readonly Rule[],
  ) {}

  static async create(rules: readonly Rule[] = ALL_RULES): Promise<Linter> {
    return new Linter(await PostgresParser.load(), rules);
  }

  lint(source: string, options: Partial<LintOptions> = {}): Analysis {
    const resolved = { ...defaultOptions(), ...options };
    const statements = buildStatements(source, splitStatements(source), this.parser, resolved);
    const context = createContext(source, statements, resolved);
    const findings: Finding[] = [];
    for (const statement of statements) {
      for (const rule of this.rules) {
        for (const report of runRule(rule, statement, context)) findings.push(toFinding(rule, statement, report));
      }
    }
    return { statements, findings: findings.sort(bySeverityThenPosition) };
  }
}

/** A rule that throws must not take the analysis down: the failure becomes a finding on that statement. */
function runRule(rule: Rule, statement: Statement, context: RuleContext): Report[] {
  try {
    return rule.check(statement, context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [{ message: `Lockguard's rule ${rule.id} failed on this statement (${reason}). Other rules still ran; please report this with the statement.`, severity: 'warning' }];
  }
}

function toFinding(rule: Rule, statement: Statement, report: Report): Finding {
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
  };
}

function createContext(source: string, statements: Statement[], options: LintOptions): RuleContext {
  const created = statements.flatMap((statement) => createdRelations(statement).map((relation) => ({ relation, index: statement.index })));
  return {
    source,
    statements,
    options,
    isCreatedInFile: (relation: RelationName, beforeStatement: number) =>
      created.some((entry) => entry.index < beforeStatement && sameRelation(entry.relation, relation)),
  };
}

/** Tables and materialized views a statement creates. */
function createdRelations(statement: Statement): RelationName[] {
  if (nodeAs(statement, 'CreateStmt') || nodeAs(statement, 'CreateTableAsStmt')) {
    return statement.kind === 'parsed' ? statement.targets : [];
  }
  return [];
}
