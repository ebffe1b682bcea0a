import type { LintOptions } from '../options';
import { baseName, wholeFile, type Framework, type MigrationFile, type Recognition, type Runner, type Section, type SectionKind } from './frameworks/framework';
import { FRAMEWORKS } from './frameworks/index';
import type { Statement, TransactionContext } from './statement';

/**
 * How the project's migration runner executes this file: the framework (or the configured
 * transaction mode when none is recognised), the sections that run on apply and those that do not,
 * and how each section's statements reach PostgreSQL. Every rule, fix, hover and the staging check
 * read the file through it.
 */
export interface MigrationModel {
  /** The framework recognised from the file's path, name, markers or neighbours; undefined when none was. */
  framework: Framework | undefined;
  /** Who opens the transactions the file does not open itself (the framework, or the configured mode). */
  runner: Runner;
  /** In the user's words: what was recognised and from what, or which setting was assumed. */
  assumption: string;
  /** In file order, covering every statement. */
  sections: readonly Section[];
}

/** What the model needs of the file besides its text: whether every statement must run outside a transaction (Flyway's rule). */
export interface FileFacts {
  allTransactionIncapable(): boolean;
}

/** The runner when the user says every file runs in a transaction (transaction mode "always"). */
const ALWAYS: Runner = {
  name: 'The migration runner (transaction mode "always")',
  optOut: 'Run this statement in a migration that is not wrapped in a transaction, or set the transaction mode to "never" if your runner does not wrap files.',
};

/** No runner wraps the file: psql, or a tool that sends statement by statement. */
const PLAIN: Runner = { name: 'PostgreSQL', optOut: 'Send the statement on its own, outside any BEGIN … COMMIT block.' };

export function migrationModel(source: string, options: LintOptions, facts: FileFacts): MigrationModel {
  const path = (options.filePath ?? '').replace(/\\/g, '/');
  const file: MigrationFile = {
    path,
    source,
    readSibling: (name) => options.readSibling?.(name),
    listSiblings: () => options.listSiblings?.('.') ?? [],
    allTransactionIncapable: () => facts.allTransactionIncapable(),
  };
  const { framework, recognition } = options.transactionMode === 'never' ? NOTHING_RECOGNISED : recognise(file);
  const sections = recognition?.sections ?? wholeFile(source, unrecognisedKind(path), 'none');

  switch (options.transactionMode) {
    case 'always':
      return {
        framework,
        runner: framework ?? ALWAYS,
        assumption: `${framework ? `${framework.name} (recognised from ${recognition!.evidence})` : 'no migration framework recognised'}; transaction mode "always": every section runs in one transaction`,
        sections: sections.map((section) => ({ ...section, wrapping: 'transaction' })),
      };
    case 'never':
      return { framework: undefined, runner: PLAIN, assumption: 'transaction mode "never": statement by statement, outside any transaction the file does not open', sections: sections.map((section) => ({ ...section, wrapping: 'none' })) };
    case 'auto':
      if (framework && recognition) return { framework, runner: framework, assumption: `${framework.name}, recognised from ${recognition.evidence}`, sections };
      return {
        framework: undefined,
        runner: PLAIN,
        assumption: 'no migration framework recognised: statement by statement, as psql runs a file (set "transactionMode" to "always" if your runner wraps each file in a transaction)',
        sections,
      };
  }
}

const NOTHING_RECOGNISED = { framework: undefined, recognition: undefined };

function recognise(file: MigrationFile): { framework: Framework; recognition: Recognition } | typeof NOTHING_RECOGNISED {
  for (const framework of FRAMEWORKS) {
    const recognition = framework.recognise(file);
    if (recognition) return { framework, recognition };
  }
  return NOTHING_RECOGNISED;
}

/** A file of an unrecognised tool still says by its name when it is a rollback or a check. */
function unrecognisedKind(path: string): SectionKind {
  const name = baseName(path);
  if (/(^|[._-])down\.sql$/i.test(name) || /(^|\/)(revert|rollback|down)\/[^/]+\.sql$/i.test(path)) return 'down';
  if (/(^|\/)verify\/[^/]+\.sql$/i.test(path)) return 'verify';
  return 'up';
}

/** How the hover names a section kind. */
export function describeSection(kind: SectionKind): string {
  switch (kind) {
    case 'up':
      return 'runs when the migration is applied';
    case 'down':
      return 'rollback: does not run when the migration is applied, so Lockguard checks only its syntax';
    case 'verify':
      return 'verification: run after deploying, not part of the migration, so Lockguard checks only its syntax';
    case 'other-database':
      return 'is written for another database: the migration tool never runs it on PostgreSQL, so Lockguard does not check it';
  }
}

/** The section of the migration that holds the statement (the one its first character falls in). */
export function sectionOf(model: Pick<MigrationModel, 'sections'>, statement: Pick<Statement, 'range'>): Section | undefined {
  return model.sections.find((candidate) => statement.range.start >= candidate.start && statement.range.start < candidate.end);
}

/**
 * One line for the hover: which framework (or setting) was assumed, and how this statement runs
 * under it — so a user can see at once when Lockguard's picture of the runner is wrong.
 */
export function describeExecution(model: MigrationModel, statement: Statement, lineOf: (statementIndex: number) => number): string {
  const section = sectionOf(model, statement);
  const runs = statement.section !== 'up' ? describeSection(statement.section) : describeTransaction(statement.transaction, model, section?.wrapping === 'one-query', lineOf);
  return `Runs as: ${model.assumption}. This statement ${runs}.`;
}

function describeTransaction(transaction: TransactionContext, model: MigrationModel, oneQuery: boolean, lineOf: (statementIndex: number) => number): string {
  switch (transaction.kind) {
    case 'autocommit':
      return 'runs on its own (autocommit): its locks are released as soon as it finishes';
    case 'explicit':
      return `runs in the file's BEGIN … COMMIT block from line ${lineOf(transaction.begin)}: its locks are held until that block ends`;
    case 'implicit':
      return `runs in the transaction ${oneQuery ? `PostgreSQL opens around the multi-statement query ${model.runner.name} sends` : `${model.runner.name} opens`}: its locks are held until ${transaction.end === undefined ? 'the migration commits' : `the COMMIT on line ${lineOf(transaction.end)}`}`;
  }
}
