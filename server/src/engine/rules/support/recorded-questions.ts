/**
 * Questions a rule asks about the rest of the file, through a judgment of rules/support/ (the lock an
 * earlier statement of the transaction holds, the line a statement is on, a fact derived once per file)
 * rather than by reading `context.statements` or `context.source` itself. While an editor's document is
 * analysed again after each keystroke (../../incremental.ts), such a question and its answer are noted,
 * and the rule's finding on an unchanged statement is taken over as long as the question, asked again,
 * gets the same answer; a rule that reads the file itself runs again after every edit.
 *
 * An answer holds what the rule takes from it: plain values and the file's statements (the same
 * statement wherever an edit moved it). Offsets in it (`range`) are not compared: they lie in the
 * statements, and the findings taken over are moved with the text around them.
 *
 * This module knows no rule type (rule.ts uses it for `perFile`): contexts are plain objects here.
 */

/** A question about one place of the file: the statement at index `at`, or the file's end at the statement count. */
export interface RecordedQuestion {
  /** What is asked, for profiles and debugging. */
  readonly name: string;
  /** The answer, from an analysis's own context (never a recording one): the same arguments give the same answer on the same file. */
  answer(context: object, at: number, args: readonly unknown[]): unknown;
}

/** Notes the questions the running rule asks (the incremental analysis's recording context). */
export interface QuestionRecorder {
  /** Answers a question about the place `at` of the file, noting it for the running rule. */
  ask(question: RecordedQuestion, at: number, args: readonly unknown[]): unknown;
  /** The place of a statement in the file; undefined when it is none of the file's statements (the rule then depends on the whole file). */
  placeOf(statement: object): number | undefined;
}

const RECORDERS = new WeakMap<object, QuestionRecorder>();

/** Makes the questions asked with `context` go to `recorder`. */
export function recordQuestionsAskedOf(context: object, recorder: QuestionRecorder): void {
  RECORDERS.set(context, recorder);
}

/**
 * A judgment about a statement that looks at the rest of the file, as a recorded question. `judge`
 * gets the analysis's own context, and must take everything it reads from the statement, the
 * context and `args` (plain values: names, modes, policies).
 */
export function aboutStatement<S extends { index: number }, C extends object, Args extends unknown[], Answer>(
  name: string,
  judge: (statement: S, context: C, ...args: Args) => Answer,
): (statement: S, context: C, ...args: Args) => Answer {
  const question: RecordedQuestion = {
    name,
    answer: (context, at, args) => judge((context as unknown as { statements: readonly S[] }).statements[at]!, context as C, ...(args as Args)),
  };
  return (statement, context, ...args) => {
    const recorder = RECORDERS.get(context);
    if (!recorder) return judge(statement, context, ...args);
    const at = recorder.placeOf(statement);
    return (at === undefined ? judge(statement, context, ...args) : recorder.ask(question, at, args)) as Answer;
  };
}

/** A judgment about the place before statement `beforeStatement` (the file's end at the statement count), as a recorded question. */
export function beforeStatement<C extends object, Args extends unknown[], Answer>(
  name: string,
  judge: (context: C, beforeStatement: number, ...args: Args) => Answer,
): (context: C, beforeStatement: number, ...args: Args) => Answer {
  const question: RecordedQuestion = { name, answer: (context, at, args) => judge(context as C, at, ...(args as Args)) };
  return (context, at, ...args) => {
    const recorder = RECORDERS.get(context);
    return (recorder ? recorder.ask(question, at, args) : judge(context, at, ...args)) as Answer;
  };
}

/**
 * A derivation from the whole file, as a recorded question when asked with a recording context: its
 * value is the answer (see `perFile` in ../rule.ts). `derive` gets the analysis's own context.
 */
export function aboutFile<C extends object, T>(name: string, derive: (context: C) => T): (context: C) => T {
  const question: RecordedQuestion = { name, answer: (context) => derive(context as C) };
  return (context) => {
    const recorder = RECORDERS.get(context);
    // Asked about the file as a whole: the place is the asking statement's own (see ../../incremental.ts).
    return (recorder ? recorder.ask(question, ASKING_STATEMENT, []) : derive(context)) as T;
  };
}

/** `at` for a question about the whole file: the recorder puts the asking statement's index there. */
export const ASKING_STATEMENT = -1;
