/**
 * Incremental re-analysis: what a rule reported on a statement is taken over by the next analysis of
 * the file when nothing it depended on changed, so that a keystroke re-runs the rules on the edited
 * statement only (and on the few rules that look at the whole file).
 *
 * What a rule depends on is recorded while it runs, not declared: the context it gets notes whether
 * it read the file (`source`, `statements`, and so every whole-file memo, see `perFile`) and which
 * questions it asked of `isCreatedInFile` and of the schema catalogue (`schema.before(i).table(…)` …),
 * with their answers. A rule that read the file runs again on every analysis; the others' reports are
 * reused for a statement with the same text, the same place in a transaction and the same answers,
 * moved to where the statement now is.
 */
import { movedRelation, type RelationName } from './model/relations';
import type { MigrationModel } from './model/migration';
import type { SchemaHistory, SchemaView } from './model/schema/objects';
import type { Statement, TransactionContext } from './model/statement';
import type { LintOptions } from './options';
import type { Report, Rule, RuleContext } from './rules/rule';
import { movedRange } from './text/moved';

/** What one rule reported on one statement, and the answers it relied on. */
interface RuleResult {
  reports: Report[];
  /** The statement's start when the reports were made: they are moved by how far it moved since. */
  madeAt: number;
  questions: readonly Question[];
}

/** A question a rule asked of the analysis, with the statement it asked about relative to the asking statement's index. */
type Question = CreatedQuestion | SchemaQuestion;

/** An `isCreatedInFile` question. */
interface CreatedQuestion {
  kind: 'created';
  relation: RelationName;
  offset: number;
  answer: boolean;
}

/** A question to the schema catalogue: `schema.before(index)[ask](...args)`. */
interface SchemaQuestion {
  kind: 'schema';
  offset: number;
  ask: SchemaQuestionName;
  args: readonly unknown[];
  answer: unknown;
}

type SchemaQuestionName = { [K in keyof SchemaView]: SchemaView[K] extends (...args: never[]) => unknown ? K : never }[keyof SchemaView];

/** What the enabled rules found on statements of one text and place in a transaction. */
interface StatementResults {
  /** By rule position: its result, or `undefined` for a rule that read the file, which must run again. */
  readonly byRule: readonly (RuleResult | undefined)[];
  /** The positions of the rules that reported something or must run again, in order: the others need no visit. */
  readonly notable: readonly number[];
  /** Every question the reusable results relied on, to check them all at once. */
  readonly questions: readonly Question[];
}

/**
 * Rule results of one analysis, to be taken over by the next one with the same options and rules: by
 * statement text, then by the rest of the statement's key (see `placeKey`). Two levels because a
 * statement's text is one string that every analysis shares (its hash is computed once), where a key
 * holding the text would be a new string to hash in full for every statement of every analysis.
 */
export interface RuleResults {
  readonly key: string;
  readonly byStatement: ReadonlyMap<string, ReadonlyMap<string, StatementResults>>;
}

/** The most common result by far: nothing found, nothing asked. Shared, so reusing it allocates nothing. */
const NOTHING: RuleResult = { reports: [], madeAt: 0, questions: [] };

/** Runs rules on statements, reusing what `previous` found where nothing it depended on changed. */
export class IncrementalRules {
  readonly results: RuleResults;
  private readonly byStatement = new Map<string, Map<string, StatementResults>>();
  private readonly previous: ReadonlyMap<string, ReadonlyMap<string, StatementResults>>;
  private readonly recording: RecordingContext;

  constructor(
    private readonly context: RuleContext,
    private readonly rules: readonly Rule[],
    previous: RuleResults | undefined,
  ) {
    const key = resultsKey(context.options, rules);
    this.previous = previous?.key === key ? previous.byStatement : new Map();
    this.results = { key, byStatement: this.byStatement };
    this.recording = new RecordingContext(context);
  }

  /**
   * Passes each rule's reports on the statement to `report`, in rule order; `run` does the checking
   * (and contains a rule's failure).
   */
  check(statement: Statement, run: Run, report: (rule: Rule, report: Report) => void): void {
    const place = placeKey(statement);
    const previous = this.previous.get(statement.text)?.get(place);
    const results = previous && this.holds(previous.questions, statement) ? this.reuse(previous, statement, run, report) : this.checkEach(previous, statement, run, report);
    let sameText = this.byStatement.get(statement.text);
    if (!sameText) this.byStatement.set(statement.text, (sameText = new Map()));
    sameText.set(place, results);
  }

  /** Everything the previous results relied on still holds: only the rules that read the file run again. */
  private reuse(previous: StatementResults, statement: Statement, run: Run, report: (rule: Rule, report: Report) => void): StatementResults {
    let changed: (RuleResult | undefined)[] | undefined;
    for (const i of previous.notable) {
      const rule = this.rules[i]!;
      const reused = previous.byRule[i];
      if (reused) {
        for (const moved of movedReports(reused.reports, statement.range.start - reused.madeAt)) report(rule, moved);
        continue;
      }
      const result = this.runRecorded(rule, statement, run, report);
      if (result) (changed ??= [...previous.byRule])[i] = result;
    }
    return changed ? summarised(changed) : previous;
  }

  /** Rule by rule: each previous result is reused if what it relied on still holds. */
  private checkEach(previous: StatementResults | undefined, statement: Statement, run: Run, report: (rule: Rule, report: Report) => void): StatementResults {
    const byRule = this.rules.map((rule, i) => {
      const reused = previous?.byRule[i];
      if (!reused || !this.holds(reused.questions, statement)) return this.runRecorded(rule, statement, run, report);
      for (const moved of movedReports(reused.reports, statement.range.start - reused.madeAt)) report(rule, moved);
      return reused;
    });
    return summarised(byRule);
  }

  /** Runs the rule, noting what it relied on: its result, or `undefined` when it read the file. */
  private runRecorded(rule: Rule, statement: Statement, run: Run, report: (rule: Rule, report: Report) => void): RuleResult | undefined {
    const recorded = this.recording.record(statement, () => run(rule, this.recording));
    for (const found of recorded.value) report(rule, found);
    if (recorded.readFile) return undefined;
    return recorded.value.length === 0 && recorded.questions.length === 0 ? NOTHING : { reports: recorded.value, madeAt: statement.range.start, questions: recorded.questions };
  }

  private holds(questions: readonly Question[], statement: Statement): boolean {
    return questions.every((question) => {
      const at = statement.index + question.offset;
      if (question.kind === 'created') return this.context.isCreatedInFile(question.relation, at) === question.answer;
      return sameAnswer(ask(this.context.schema.before(at), question.ask, question.args), question.answer);
    });
  }
}

type Run = (rule: Rule, context: RuleContext) => Report[];

function summarised(byRule: readonly (RuleResult | undefined)[]): StatementResults {
  const notable: number[] = [];
  const questions: Question[] = [];
  byRule.forEach((result, i) => {
    if (!result || result.reports.length > 0) notable.push(i);
    if (result) questions.push(...result.questions);
  });
  return { byRule, notable, questions };
}

/**
 * The context rules get: the analysis's own, noting what the running rule reads. One per analysis,
 * pointed at each check in turn, so that whole-file memos (keyed by the statement list) still work.
 */
class RecordingContext implements RuleContext {
  private current: { statement: Statement; readFile: boolean; questions: Question[] } | undefined;
  /** Notes the schema questions of the running rule; answers come from the analysis's catalogue. */
  private readonly recordingSchema: SchemaHistory = { before: (statementIndex) => new RecordingView(this.context.schema.before(statementIndex), statementIndex, (question) => this.note(question)) };

  constructor(private readonly context: RuleContext) {}

  get source(): string {
    if (this.current) this.current.readFile = true;
    return this.context.source;
  }

  get statements(): readonly Statement[] {
    if (this.current) this.current.readFile = true;
    return this.context.statements;
  }

  /** Markers anywhere in the file decide it: reading it depends on the whole file. */
  get migration(): MigrationModel {
    if (this.current) this.current.readFile = true;
    return this.context.migration;
  }

  /** The schema before a statement follows from every statement above it: what the rule asks of it, and the answers, are noted. */
  get schema(): SchemaHistory {
    return this.recordingSchema;
  }

  /** Part of the results' key: reading them is no dependency. */
  get options(): LintOptions {
    return this.context.options;
  }

  isCreatedInFile(relation: RelationName, beforeStatement: number): boolean {
    const answer = this.context.isCreatedInFile(relation, beforeStatement);
    this.current?.questions.push({ kind: 'created', relation, offset: beforeStatement - this.current.statement.index, answer });
    return answer;
  }

  private note(question: Omit<SchemaQuestion, 'offset'> & { at: number }): void {
    if (!this.current) return;
    const { at, ...asked } = question;
    this.current.questions.push({ ...asked, offset: at - this.current.statement.index });
  }

  record<T>(statement: Statement, run: () => T): { value: T; readFile: boolean; questions: Question[] } {
    const current = { statement, readFile: false, questions: [] as Question[] };
    this.current = current;
    try {
      return { value: run(), readFile: current.readFile, questions: current.questions };
    } finally {
      this.current = undefined;
    }
  }
}

/** The schema before one statement, noting each question asked of it and the answer. */
class RecordingView implements SchemaView {
  constructor(
    private readonly view: SchemaView,
    private readonly at: number,
    private readonly note: (question: Omit<SchemaQuestion, 'offset'> & { at: number }) => void,
  ) {}

  private asked<T>(name: SchemaQuestionName, args: readonly unknown[]): T {
    const answer = ask(this.view, name, args) as T;
    this.note({ kind: 'schema', at: this.at, ask: name, args, answer });
    return answer;
  }

  table(name: RelationName) {
    return this.asked<ReturnType<SchemaView['table']>>('table', [name]);
  }
  column(table: RelationName, column: string) {
    return this.asked<ReturnType<SchemaView['column']>>('column', [table, column]);
  }
  constraints(table: RelationName) {
    return this.asked<ReturnType<SchemaView['constraints']>>('constraints', [table]);
  }
  indexes(table: RelationName) {
    return this.asked<ReturnType<SchemaView['indexes']>>('indexes', [table]);
  }
  index(name: RelationName) {
    return this.asked<ReturnType<SchemaView['index']>>('index', [name]);
  }
  indexTable(name: RelationName) {
    return this.asked<ReturnType<SchemaView['indexTable']>>('indexTable', [name]);
  }
  isDroppedIndex(name: RelationName) {
    return this.asked<boolean>('isDroppedIndex', [name]);
  }
  function(name: RelationName) {
    return this.asked<ReturnType<SchemaView['function']>>('function', [name]);
  }
  domain(name: RelationName) {
    return this.asked<ReturnType<SchemaView['domain']>>('domain', [name]);
  }
  isNew(table: RelationName) {
    return this.asked<boolean>('isNew', [table]);
  }
  resolve(name: RelationName) {
    return this.asked<ReturnType<SchemaView['resolve']>>('resolve', [name]);
  }
  schema(name: string) {
    return this.asked<boolean>('schema', [name]);
  }
}

function ask(view: SchemaView, name: SchemaQuestionName, args: readonly unknown[]): unknown {
  return (view[name] as (...args: unknown[]) => unknown).apply(view, [...args]);
}

/**
 * Whether two answers of the catalogue are the same: equal values, not the same objects (each analysis
 * replays its own catalogue). Pairs found equal are remembered, since many statements ask about the
 * same version of a table.
 */
function sameAnswer(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (PROVEN_EQUAL.get(a)?.has(b)) return true;
  let same: boolean;
  if (Array.isArray(a)) same = Array.isArray(b) && a.length === b.length && a.every((item, i) => sameAnswer(item, b[i]));
  else if (Array.isArray(b)) same = false;
  else {
    const keys = Object.keys(a);
    same = keys.length === Object.keys(b).length && keys.every((key) => key in b && sameAnswer((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
  }
  if (same) {
    let proven = PROVEN_EQUAL.get(a);
    if (!proven) PROVEN_EQUAL.set(a, (proven = new WeakSet()));
    proven.add(b);
  }
  return same;
}

const PROVEN_EQUAL = new WeakMap<object, WeakSet<object>>();

/**
 * With the statement's text, what its results are reused for: the same kind, its `;` at the same
 * distance, the same place in a transaction.
 */
function placeKey({ kind, terminator, range, index, transaction, section }: Statement): string {
  return `${kind} ${section} ${terminator === undefined ? '-' : terminator - range.start} ${transactionPlace(transaction, index)}`;
}

function transactionPlace(transaction: TransactionContext, index: number): string {
  switch (transaction.kind) {
    case 'autocommit':
      return 'autocommit';
    case 'implicit':
      return `implicit ${transaction.tool.name} ${transaction.start - index} ${transaction.end === undefined ? 'open' : transaction.end - index}`;
    case 'explicit':
      return `explicit ${transaction.begin - index} ${transaction.end === undefined ? 'open' : transaction.end - index}`;
  }
}

/** The options rules see and the rules enabled, as a key (`readSibling` is for the migration tool's detection, which runs every time). */
function resultsKey({ pgVersion, transactionMode, filePath, rules }: LintOptions, enabled: readonly Rule[]): string {
  return JSON.stringify([pgVersion, transactionMode, filePath, rules, enabled.map((rule) => rule.id)]);
}

/** Reports moved with their statement: every offset in them (test/unit/incremental.test.ts compares with fresh analyses). */
function movedReports(reports: Report[], delta: number): Report[] {
  if (delta === 0 || reports.length === 0) return reports;
  return reports.map((report) => ({
    ...report,
    range: report.range && movedRange(report.range, delta),
    fixes: report.fixes?.map((fix) => ({ ...fix, edits: fix.edits.map((edit) => ({ ...edit, range: movedRange(edit.range, delta) })) })),
    related: report.related?.map((related) => ({ ...related, range: movedRange(related.range, delta) })),
    lock: report.lock && { ...report.lock, relation: movedRelation(report.lock.relation, delta) },
  }));
}

