/**
 * Incremental re-analysis: what a rule reported on a statement is taken over by the next analysis of
 * the file when nothing it depended on changed, so that a keystroke re-runs the rules on the edited
 * statement only (and on the few rules that read the whole file).
 *
 * What a rule depends on is recorded while it runs, not declared: the context it gets notes whether
 * it read the file itself (`source`, `statements`, the migration's sections) and which questions it
 * asked, with their answers: `isCreatedInFile`, the schema catalogue (`schema.before(i).table(…)` …),
 * the migration's framework and runner, and the judgments of rules/support/ that look at the rest of
 * the file (rules/support/recorded-questions.ts: the lock an earlier statement of the transaction
 * holds, a statement's line, a fact derived once per file). A rule that read the file runs again on
 * every analysis; the others' reports are reused for a statement with the same text, the same place
 * in a transaction and the same answers, moved to where the statement now is.
 */
import { firstBuilt } from './model/moved-statement';
import type { RelationName } from './model/relations';
import type { MigrationModel } from './model/migration';
import type { SchemaHistory, SchemaView } from './model/schema/objects';
import type { Statement, TransactionContext } from './model/statement';
import type { LintOptions } from './options';
import type { Report, Rule, RuleContext } from './rules/rule';
import { ASKING_STATEMENT, recordQuestionsAskedOf, type QuestionRecorder, type RecordedQuestion } from './rules/support/recorded-questions';
import type { OffsetRange } from './text/positions';
import { commonEnds } from './text/splitter';

/**
 * What changed between two versions of a file: the text from `start` to `oldEnd` of the old version
 * was replaced, making the file `delta` characters longer.
 */
export interface TextChange {
  start: number;
  oldEnd: number;
  delta: number;
}

export function textChange(old: string, text: string): TextChange {
  const { prefix, suffix } = commonEnds(old, text);
  return { start: prefix, oldEnd: old.length - suffix, delta: text.length - old.length };
}

/** What one rule reported on one statement, and the answers it relied on. */
interface RuleResult {
  /** With their offsets in the analysis that kept them (the previous one, for the results an analysis starts from). */
  reports: Report[];
  /** Where the statement started then. */
  madeAt: number;
  /**
   * The statement the reports were made on (as first built), when the rule asked about the rest of the
   * file: its reports may point at other statements, and only that statement takes them over, moved
   * with the text around them.
   */
  madeOn: Statement | undefined;
  questions: readonly Question[];
}

/** A question a rule asked of the analysis, with the statement it asked about relative to the asking statement's index. */
type Question = CreatedQuestion | SchemaQuestion | FileQuestion | MigrationQuestion | FolderQuestion;

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

/** A judgment of rules/support/ about the rest of the file (see rules/support/recorded-questions.ts). */
interface FileQuestion {
  kind: 'file';
  question: RecordedQuestion;
  /** Where it was asked, relative to the asking statement; `undefined`: about the whole file. */
  offset: number | undefined;
  args: readonly unknown[];
  answer: unknown;
}

/** What the rule read of the migration model, but its sections (which are offsets: reading them reads the file). */
interface MigrationQuestion {
  kind: 'migration';
  key: 'framework' | 'runner' | 'assumption';
  answer: unknown;
}

/** A read of the migration's folder (a fix naming a new migration lists it): the answer is the folder's listing, or a file's text. */
interface FolderQuestion {
  kind: 'folder';
  read: 'list' | 'read';
  name: string | undefined;
  answer: unknown;
}

type SchemaQuestionName = { [K in keyof SchemaView]: SchemaView[K] extends (...args: never[]) => unknown ? K : never }[keyof SchemaView];

/**
 * What the enabled rules found on statements of one text and place in a transaction: the rules that
 * reported something, asked something or read the file, by ascending position. The other rules found
 * nothing without asking anything, and need no visit.
 */
interface StatementResults {
  readonly rules: readonly number[];
  /** By the position in `rules`: the rule's result, or `undefined` when it read the file and must run again. */
  readonly results: readonly (RuleResult | undefined)[];
}

/**
 * Rule results of one analysis, to be taken over by the next one with the same options and rules: by
 * statement text, then by the statement's place (see `Place`; a text has one place but for a few
 * statements such as `COMMIT`). By text first because a statement's text is one string that every
 * analysis shares (its hash is computed once).
 */
export interface RuleResults {
  readonly key: string;
  readonly byStatement: ReadonlyMap<string, PlacedResults | readonly PlacedResults[]>;
}

/** The results of the statements of one text and place. */
interface PlacedResults {
  readonly place: Place;
  readonly results: StatementResults;
}

/** The most common result by far: nothing found, nothing asked. Shared, so reusing it allocates nothing. */
const NOTHING_FOUND: StatementResults = { rules: [], results: [] };

type Run = (rule: Rule, context: RuleContext) => Report[];
type Reporter = (rule: Rule, report: Report) => void;

/** Runs rules on statements, reusing what `previous` found where nothing it depended on changed. */
export class IncrementalRules {
  readonly results: RuleResults;
  private readonly byStatement = new Map<string, PlacedResults | PlacedResults[]>();
  private readonly previous: ReadonlyMap<string, PlacedResults | readonly PlacedResults[]>;
  private readonly recording: RecordingContext;
  private readonly answers: AnswerComparison;

  /** `change`: how the text changed since the analysis that made `previous`. */
  constructor(
    private readonly context: RuleContext,
    private readonly rules: readonly Rule[],
    previous: RuleResults | undefined,
    private readonly change: TextChange | undefined,
  ) {
    const key = resultsKey(context.options, rules);
    this.previous = previous?.key === key ? previous.byStatement : new Map();
    this.results = { key, byStatement: this.byStatement };
    this.recording = new RecordingContext(context);
    this.answers = new AnswerComparison(change);
  }

  /**
   * Passes each rule's reports on the statement to `report`, in rule order; `run` does the checking
   * (and contains a rule's failure).
   */
  check(statement: Statement, run: Run, report: Reporter): void {
    const previous = placed(this.previous.get(statement.text), statement);
    const results = previous ? this.checkAgain(previous.results, statement, run, report) : this.checkAll(statement, run, report);
    // Unchanged results keep their entry: most statements of a long file allocate nothing here.
    const entry = previous?.results === results ? previous : { place: previous?.place ?? placeOf(statement), results };
    const sameText = this.byStatement.get(statement.text);
    if (!sameText) this.byStatement.set(statement.text, entry);
    else if (Array.isArray(sameText)) sameText.push(entry);
    else if (!samePlace(sameText.place, statement)) this.byStatement.set(statement.text, [sameText, entry]);
    // A second statement of the same text and place has the first's results: either will do.
    else this.byStatement.set(statement.text, entry);
  }

  private checkAll(statement: Statement, run: Run, report: Reporter): StatementResults {
    const found = new ResultsBuilder();
    this.rules.forEach((rule, i) => found.add(i, this.runRecorded(rule, statement, run, report)));
    return found.build();
  }

  /**
   * Rule by rule, from the results of a statement with the same text and place: a result whose
   * answers still hold is taken over, moved; the rule runs again where one does not, or where it read
   * the file. A rule the results do not list found nothing and asked nothing: it finds nothing again.
   */
  private checkAgain(previous: StatementResults, statement: Statement, run: Run, report: Reporter): StatementResults {
    let changed: (RuleResult | undefined)[] | undefined;
    previous.results.forEach((reused, k) => {
      const rule = this.rules[previous.rules[k]!]!;
      const taken = reused && this.takenOver(reused, statement);
      const result = taken ?? this.runRecorded(rule, statement, run, report);
      if (taken) for (const found of taken.reports) report(rule, found);
      if (result !== reused) (changed ??= [...previous.results])[k] = result;
    });
    if (!changed) return previous;
    const found = new ResultsBuilder();
    changed.forEach((result, k) => found.add(previous.rules[k]!, result));
    return found.build();
  }

  /** Runs the rule, noting what it relied on: its result, or `undefined` when it read the file. */
  private runRecorded(rule: Rule, statement: Statement, run: Run, report: Reporter): RuleResult | undefined {
    const recorded = this.recording.record(statement, () => run(rule, this.recording));
    for (const found of recorded.value) report(rule, found);
    if (recorded.readFile) return undefined;
    return {
      reports: recorded.value,
      madeAt: statement.range.start,
      madeOn: recorded.askedAboutFile ? firstBuilt(statement) : undefined,
      questions: recorded.questions,
    };
  }

  /**
   * The result for the statement, which has its text and place, with its reports moved there:
   * undefined when an answer it relied on changed, or when it cannot be moved (its reports point
   * elsewhere in the file and were made on another statement, or into the edited text).
   */
  private takenOver(result: RuleResult, statement: Statement): RuleResult | undefined {
    const start = statement.range.start;
    if (result.madeOn && result.reports.length > 0 && (result.madeOn !== firstBuilt(statement) || !this.change)) return undefined;
    const questions = this.answered(result.questions, statement);
    if (!questions) return undefined;
    let reports = result.reports;
    // Made on this very statement: every offset moves with the text around it (also where the statement
    // itself stays: the reports may point below the edit). Else the reports hold its offsets only.
    if (reports.length > 0 && (result.madeOn || start !== result.madeAt)) {
      const moved = result.madeOn ? changedReports(reports, this.change!) : changedReports(reports, { start: 0, oldEnd: 0, delta: start - result.madeAt });
      if (!moved) return undefined;
      reports = moved;
    }
    // Where the statement starts matters only for moving reports.
    const madeAt = result.reports.length > 0 ? start : result.madeAt;
    return reports === result.reports && questions === result.questions && madeAt === result.madeAt ? result : { ...result, reports, madeAt, questions };
  }

  /**
   * The questions asked again about the statement: the same list when every answer is the same, with
   * this analysis's answers when one holds offsets the edit moved, undefined when an answer changed.
   */
  private answered(questions: readonly Question[], statement: Statement): readonly Question[] | undefined {
    let renewed: Question[] | undefined;
    for (let i = 0; i < questions.length; i++) {
      const question = questions[i]!;
      const answer = this.answerNow(question, statement);
      const same = this.answers.compare(question.answer, answer);
      if (same === 'different') return undefined;
      if (same === 'moved') (renewed ??= [...questions])[i] = { ...question, answer } as Question;
    }
    return renewed ?? questions;
  }

  private answerNow(question: Question, statement: Statement): unknown {
    switch (question.kind) {
      case 'created':
        return this.context.isCreatedInFile(question.relation, statement.index + question.offset);
      case 'schema':
        return ask(this.context.schema.before(statement.index + question.offset), question.ask, question.args);
      case 'file':
        return question.question.answer(this.context, question.offset === undefined ? statement.index : statement.index + question.offset, question.args);
      case 'migration':
        return this.context.migration[question.key];
      case 'folder':
        return question.read === 'list' ? this.context.options.listSiblings?.(question.name) : this.context.options.readSibling?.(question.name!);
    }
  }
}

/** A statement's results, rule by rule: only the rules that found, asked or read something are listed. */
class ResultsBuilder {
  private readonly rules: number[] = [];
  private readonly results: (RuleResult | undefined)[] = [];

  add(rule: number, result: RuleResult | undefined): void {
    if (result && result.reports.length === 0 && result.questions.length === 0) return;
    this.rules.push(rule);
    this.results.push(result);
  }

  build(): StatementResults {
    return this.rules.length === 0 ? NOTHING_FOUND : { rules: this.rules, results: this.results };
  }
}

/**
 * The context rules get: the analysis's own, noting what the running rule reads. One per analysis,
 * pointed at each check in turn, so that whole-file memos (keyed by the statement list) still work.
 */
class RecordingContext implements RuleContext, QuestionRecorder {
  private current: { statement: Statement; readFile: boolean; askedAboutFile: boolean; questions: Question[] } | undefined;
  /** Notes the schema questions of the running rule; answers come from the analysis's catalogue. */
  private readonly recordingSchema: SchemaHistory = { before: (statementIndex) => new RecordingView(this.context.schema.before(statementIndex), statementIndex, (question) => this.note(question)) };
  /** The options, noting the running rule's reads of the migration's folder. */
  private readonly recordingOptions: LintOptions;

  constructor(private readonly context: RuleContext) {
    recordQuestionsAskedOf(this, this);
    const { listSiblings, readSibling } = context.options;
    this.recordingOptions = {
      ...context.options,
      ...(listSiblings && { listSiblings: (folder?: string) => this.readFolder('list', folder, listSiblings(folder)) }),
      ...(readSibling && { readSibling: (name: string) => this.readFolder('read', name, readSibling(name)) }),
    };
  }

  get source(): string {
    if (this.current) this.current.readFile = true;
    return this.context.source;
  }

  get statements(): readonly Statement[] {
    if (this.current) this.current.readFile = true;
    return this.context.statements;
  }

  /** The framework and the runner are asked like questions; the sections are offsets in the file (see `RecordingMigration`). */
  get migration(): MigrationModel {
    const current = this.current;
    if (!current) return this.context.migration;
    return new RecordingMigration(
      this.context.migration,
      (key, answer) => current.questions.push({ kind: 'migration', key, answer }),
      () => (current.readFile = true),
    );
  }

  /** The schema before a statement follows from every statement above it: what the rule asks of it, and the answers, are noted. */
  get schema(): SchemaHistory {
    return this.recordingSchema;
  }

  /** Part of the results' key, but for the folder's files, whose reads are noted. */
  get options(): LintOptions {
    return this.recordingOptions;
  }

  private readFolder<T>(read: FolderQuestion['read'], name: string | undefined, answer: T): T {
    this.current?.questions.push({ kind: 'folder', read, name, answer });
    return answer;
  }

  isCreatedInFile(relation: RelationName, beforeStatement: number): boolean {
    const answer = this.context.isCreatedInFile(relation, beforeStatement);
    this.current?.questions.push({ kind: 'created', relation, offset: beforeStatement - this.current.statement.index, answer });
    return answer;
  }

  /** The question is answered from the analysis's own context, so that what the answer took from the file is not counted as read. */
  ask(question: RecordedQuestion, at: number, args: readonly unknown[]): unknown {
    const current = this.current;
    const place = at === ASKING_STATEMENT ? current?.statement.index ?? 0 : at;
    const answer = question.answer(this.context, place, args);
    if (current) {
      current.askedAboutFile = true;
      current.questions.push({ kind: 'file', question, offset: at === ASKING_STATEMENT ? undefined : at - current.statement.index, args, answer });
    }
    return answer;
  }

  placeOf(statement: object): number | undefined {
    const { index } = statement as Statement;
    return this.context.statements[index] === statement ? index : undefined;
  }

  private note(question: Omit<SchemaQuestion, 'offset'> & { at: number }): void {
    if (!this.current) return;
    const { at, ...asked } = question;
    this.current.questions.push({ ...asked, offset: at - this.current.statement.index });
  }

  record<T>(statement: Statement, run: () => T): { value: T; readFile: boolean; askedAboutFile: boolean; questions: Question[] } {
    const current = { statement, readFile: false, askedAboutFile: false, questions: [] as Question[] };
    this.current = current;
    try {
      return { value: run(), readFile: current.readFile, askedAboutFile: current.askedAboutFile, questions: current.questions };
    } finally {
      this.current = undefined;
    }
  }
}

/** The migration model, noting what a rule reads of it. */
class RecordingMigration implements MigrationModel {
  constructor(
    private readonly model: MigrationModel,
    private readonly asked: (key: MigrationQuestion['key'], answer: unknown) => void,
    private readonly readFile: () => void,
  ) {}

  get framework() {
    this.asked('framework', this.model.framework);
    return this.model.framework;
  }
  get runner() {
    this.asked('runner', this.model.runner);
    return this.model.runner;
  }
  get assumption() {
    this.asked('assumption', this.model.assumption);
    return this.model.assumption;
  }
  get sections() {
    this.readFile();
    return this.model.sections;
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

  schemaCreatedEmpty(name: string) {
    return this.asked<boolean>('schemaCreatedEmpty', [name]);
  }
}

function ask(view: SchemaView, name: SchemaQuestionName, args: readonly unknown[]): unknown {
  return (view[name] as (...args: unknown[]) => unknown).apply(view, [...args]);
}

/**
 * Whether an answer of the previous analysis is the same as this one's: equal values, not the same
 * objects (each analysis makes its own). A statement is the same statement, wherever an edit moved it,
 * at the same index, in the same section and transaction; an offset range is the same when the edit
 * moved it to where it now is ('moved': the answer then holds the previous analysis's offsets, and is
 * kept with this one's). Pairs of objects compared are remembered, since many statements ask about the
 * same version of a table, or the same fact of the file.
 */
class AnswerComparison {
  constructor(private readonly change: TextChange | undefined) {}

  /** Answers as a whole: the outcome is remembered for the pair (many statements get the same two answers). */
  compare(previous: unknown, now: unknown): 'same' | 'moved' | 'different' {
    if (previous === now || typeof previous !== 'object' || typeof now !== 'object' || previous === null || now === null || isStatement(previous) || isStatement(now)) {
      return this.compareParts(previous, now);
    }
    const known = COMPARED.get(previous)?.get(now);
    if (known !== undefined) return known;
    const outcome = this.compareValues(previous, now);
    let compared = COMPARED.get(previous);
    if (!compared) COMPARED.set(previous, (compared = new WeakMap()));
    compared.set(now, outcome);
    return outcome;
  }

  /** Parts of answers, compared afresh: remembering every pair of parts would cost more than comparing them. */
  private compareParts(previous: unknown, now: unknown): 'same' | 'moved' | 'different' {
    if (previous === now) return 'same';
    if (typeof previous !== 'object' || typeof now !== 'object' || previous === null || now === null) return 'different';
    if (isStatement(previous) || isStatement(now)) return isStatement(previous) && isStatement(now) && this.sameStatement(previous, now) ? 'same' : 'different';
    return this.compareValues(previous, now);
  }

  private compareValues(a: object, b: object): 'same' | 'moved' | 'different' {
    if (isOffsetRange(a) && isOffsetRange(b)) return this.compareRanges(a, b);
    if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length ? this.all(a.length, (i) => this.compareParts(a[i], b[i])) : 'different';
    if (a instanceof Map || b instanceof Map) {
      if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return 'different';
      const entries = [...a];
      return this.all(entries.length, (i) => (b.has(entries[i]![0]) ? this.compareParts(entries[i]![1], b.get(entries[i]![0])) : 'different'));
    }
    if (a instanceof Set || b instanceof Set) return a instanceof Set && b instanceof Set && a.size === b.size && [...a].every((item) => b.has(item)) ? 'same' : 'different';
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return 'different';
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return 'different';
    return this.all(keys.length, (i) => (keys[i]! in b ? this.compareParts((a as Record<string, unknown>)[keys[i]!], (b as Record<string, unknown>)[keys[i]!]) : 'different'));
  }

  private all(count: number, compare: (i: number) => 'same' | 'moved' | 'different'): 'same' | 'moved' | 'different' {
    let outcome: 'same' | 'moved' = 'same';
    for (let i = 0; i < count; i++) {
      const one = compare(i);
      if (one === 'different') return 'different';
      if (one === 'moved') outcome = 'moved';
    }
    return outcome;
  }

  private compareRanges(a: OffsetRange, b: OffsetRange): 'same' | 'moved' | 'different' {
    if (!this.change) return a.start === b.start && a.end === b.end ? 'same' : 'different';
    if (movedOffset(a.start, this.change) !== b.start || movedOffset(a.end, this.change) !== b.end) return 'different';
    return a.start === b.start && a.end === b.end ? 'same' : 'moved';
  }

  private sameStatement(a: Statement, b: Statement): boolean {
    return firstBuilt(a) === firstBuilt(b) && a.index === b.index && a.section === b.section && this.compareParts(a.transaction, b.transaction) === 'same';
  }
}

const COMPARED = new WeakMap<object, WeakMap<object, 'same' | 'moved' | 'different'>>();

const isStatement = (value: object): value is Statement => 'terminator' in value && 'transaction' in value && 'tokens' in value;

const isOffsetRange = (value: object): value is OffsetRange =>
  typeof (value as OffsetRange).start === 'number' && typeof (value as OffsetRange).end === 'number' && Object.keys(value).length === 2;

/**
 * With the statement's text, what its results are reused for: the same kind, its `;` at the same
 * distance, the same place in a transaction (the transaction's bounds relative to the statement).
 */
interface Place {
  readonly kind: Statement['kind'];
  readonly section: Statement['section'];
  readonly terminatorAt: number | undefined;
  readonly transaction: TransactionContext['kind'];
  readonly tool: string | undefined;
  readonly from: number;
  readonly to: number | undefined;
}

function placeOf({ kind, section, terminator, range, index, transaction }: Statement): Place {
  const bounds = transactionBounds(transaction, index);
  return { kind, section, terminatorAt: terminator === undefined ? undefined : terminator - range.start, transaction: transaction.kind, ...bounds };
}

/** Field by field, allocating nothing: asked for every statement of every analysis. */
function samePlace(place: Place, { kind, section, terminator, range, index, transaction }: Statement): boolean {
  if (place.kind !== kind || place.section !== section || place.transaction !== transaction.kind) return false;
  if (place.terminatorAt !== (terminator === undefined ? undefined : terminator - range.start)) return false;
  switch (transaction.kind) {
    case 'autocommit':
      return true;
    case 'implicit':
      return place.tool === transaction.tool.name && place.from === transaction.start - index && place.to === (transaction.end === undefined ? undefined : transaction.end - index);
    case 'explicit':
      return place.from === transaction.begin - index && place.to === (transaction.end === undefined ? undefined : transaction.end - index);
  }
}

/** The results kept for a statement of this text and place. */
function placed(sameText: PlacedResults | readonly PlacedResults[] | undefined, statement: Statement): PlacedResults | undefined {
  if (sameText === undefined) return undefined;
  if (!Array.isArray(sameText)) return samePlace((sameText as PlacedResults).place, statement) ? (sameText as PlacedResults) : undefined;
  return sameText.find((entry) => samePlace(entry.place, statement));
}

function transactionBounds(transaction: TransactionContext, index: number): { tool: string | undefined; from: number; to: number | undefined } {
  switch (transaction.kind) {
    case 'autocommit':
      return { tool: undefined, from: 0, to: undefined };
    case 'implicit':
      return { tool: transaction.tool.name, from: transaction.start - index, to: transaction.end === undefined ? undefined : transaction.end - index };
    case 'explicit':
      return { tool: undefined, from: transaction.begin - index, to: transaction.end === undefined ? undefined : transaction.end - index };
  }
}

/** The options rules see and the rules enabled, as a key (`readSibling` is for the migration tool's detection, which runs every time). */
function resultsKey({ pgVersion, transactionMode, filePath, rules }: LintOptions, enabled: readonly Rule[]): string {
  return JSON.stringify([pgVersion, transactionMode, filePath, rules, enabled.map((rule) => rule.id)]);
}

/**
 * Reports with every offset in them moved by the change of the text: the same array when none moves,
 * undefined when one lies in the replaced text (test/unit/incremental.test.ts compares with fresh analyses).
 */
function changedReports(reports: Report[], change: TextChange): Report[] | undefined {
  let lost = false;
  let changed = false;
  const range = (original: OffsetRange): OffsetRange => {
    const start = movedOffset(original.start, change);
    const end = movedOffset(original.end, change);
    if (Number.isNaN(start) || Number.isNaN(end)) lost = true;
    if (start === original.start && end === original.end) return original;
    changed = true;
    // A rule may give a token as the range: what else it holds is kept.
    return { ...original, start, end };
  };
  const moved = reports.map((report) => (reachesChange(report, change.start) ? movedReport(report, range) : report));
  if (lost) return undefined;
  return changed ? moved : reports;
}

const movedOffset = (offset: number, change: TextChange) => (offset < change.start ? offset : offset >= change.oldEnd ? offset + change.delta : NaN);

/** Whether an offset of the report lies at or after `start`. */
function reachesChange(report: Report, start: number): boolean {
  const reaches = (range: OffsetRange | undefined) => range !== undefined && range.end >= start;
  return (
    reaches(report.range) ||
    reaches(relationRange(report.lock?.relation)) ||
    (report.fixes?.some((fix) => fix.edits.some((edit) => reaches(edit.range))) ?? false) ||
    (report.related?.some((related) => reaches(related.range)) ?? false)
  );
}

function movedReport(report: Report, range: (original: OffsetRange) => OffsetRange): Report {
  const relation = report.lock?.relation;
  const relationAt = relationRange(relation);
  return {
    ...report,
    range: report.range && range(report.range),
    fixes: report.fixes?.map((fix) => ({ ...fix, edits: fix.edits.map((edit) => ({ ...edit, range: range(edit.range) })) })),
    related: report.related?.map((related) => ({ ...related, range: range(related.range) })),
    lock: report.lock && { ...report.lock, relation: relationAt ? ({ ...relation!, range: range(relationAt) } as RelationName) : relation! },
  };
}

/** Where a lock's relation is named, when the report says (a `RelationRef`). */
const relationRange = (relation: RelationName | undefined) => (relation as { range?: OffsetRange } | undefined)?.range;
