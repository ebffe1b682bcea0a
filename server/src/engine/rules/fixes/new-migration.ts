import { baseName } from '../../model/frameworks/framework';
import { displayRelation } from '../../model/relations';
import { nodeAs, type Statement } from '../../model/statement';
import type { Fix, RuleContext } from '../rule';
import { lineOf } from '../support/lines';
import { firstMentionAfter, indexNamesOf, mentionsOf, objectNamesOf } from '../support/mentions';
import { aboutStatement } from '../support/recorded-questions';
import { emptiedByMove, runSectionWithoutTransaction } from './in-place-opt-out';
import { migrationsBetween } from './later-migrations';
import { moveAfterTransaction, statementRemoval } from './transaction-block';
import { sectionOf } from '../../model/migration';

/** What moves into a migration of its own, and how the fix reads. */
export interface Move {
  /** The statement as it should run there (e.g. with CONCURRENTLY), without a semicolon. */
  text: string;
  /** The fix's title without where the statement goes, e.g. "Build the index with CREATE INDEX CONCURRENTLY". */
  title: string;
  /** CONCURRENTLY: it cannot run in any transaction block. Otherwise it only has to run after this migration commits. */
  outsideTransaction: boolean;
  /** A few words for the new file's name, when the statement's own first words would not say what it does (a DO block). */
  name?: string;
}

/**
 * The way out for a statement that must run outside the transaction it is in: after the file's
 * COMMIT when the file opens the block itself, else in a new migration named and marked up by the
 * framework's convention (goose's NO TRANSACTION, dbmate's transaction:false, …). Returns why not
 * when neither works.
 */
export function runOutsideTransaction(statement: Statement, context: RuleContext, move: Move): Fix | string {
  // A runner that sends the section as one query (golang-migrate, Prisma) runs what follows a COMMIT in a new implicit transaction.
  if (statement.transaction.kind === 'explicit' && !sentAsOneQuery(statement, context)) {
    const usedBeforeCommit = laterUseBeforeCommit(statement, context);
    if (usedBeforeCommit) return staysBefore(usedBeforeCommit, context, 'after the COMMIT');
    const moved = movedAfterCommit(statement, context, move.text, `${move.title} after COMMIT${move.outsideTransaction ? ' (CONCURRENTLY cannot run inside a transaction block)' : ''}`);
    if (typeof moved !== 'string') return moved;
    const elsewhere = moveToNewMigration(statement, context, move);
    // Without a framework to name a new migration, why the block's own way out fails says more.
    return typeof elsewhere === 'string' ? moved : elsewhere;
  }
  return moveToNewMigration(statement, context, move);
}

/**
 * The statement removed from this file and written into a new migration of the framework's kind;
 * the only statement of its section stays, rewritten, and the section runs without the transaction.
 */
export function moveToNewMigration(statement: Statement, context: RuleContext, move: Move): Fix | string {
  const emptied = move.outsideTransaction ? emptiedByMove(statement, context) : undefined;
  if (emptied) return runSectionWithoutTransaction(statement, emptied, context, move);
  const made = newMigrationFor(statement, context, move, move.text);
  if (typeof made === 'string') return made;
  const edits = [removalOf(statement, context), ...(made.insert ? [{ range: { start: made.insert.at, end: made.insert.at }, newText: made.insert.text }] : [])];
  return { title: `${move.title} ${made.where}`, edits, preferred: true, autoApplicable: false, createFiles: made.files };
}

/**
 * Where a statement that has to follow this migration (a VALIDATE after an ADD … NOT VALID, say)
 * goes: a new migration, as a fix's extra files or changeset; or why there is none.
 */
export function followingMigration(statement: Statement, context: RuleContext, sql: string, outsideTransaction = false): Pick<Fix, 'edits' | 'createFiles'> & { where: string } | string {
  const made = newMigrationFor(statement, context, { text: sql, title: '', outsideTransaction }, sql);
  if (typeof made === 'string') return made;
  return { edits: made.insert ? [{ range: { start: made.insert.at, end: made.insert.at }, newText: made.insert.text }] : [], createFiles: made.files, where: made.where };
}

function newMigrationFor(statement: Statement, context: RuleContext, move: Move, text: string) {
  const { framework } = context.migration;
  const runs = `${context.migration.runner.name} runs this statement in a transaction.`;
  if (!framework?.newMigration) return `${runs} ${context.migration.runner.optOut}`;
  const path = context.options.filePath?.replace(/\\/g, '/');
  if (!path) return `${runs} ${framework.optOut} (Lockguard does not know the file's name, so it cannot name the new migration.)`;
  const made = framework.newMigration(
    // The source is read only by the frameworks that need it (Liquibase): reading it makes the finding depend on the whole file.
    { path, get source() { return context.source; }, siblings: (folder) => context.options.listSiblings?.(folder) ?? [] },
    { text, at: statement.range.start, name: move.name ?? migrationName(text), outsideTransaction: move.outsideTransaction, undo: undoOf(statement, text) },
  );
  if (typeof made === 'string') return `${runs} ${framework.optOut} ${made}`;
  // Liquibase's changeset goes right after the one holding the statement; a new file runs after all of this one.
  const usedInFile = made.insert ? laterUseInFile(statement, context.statements, made.insert.at) : laterUseInSection(statement, context);
  if (usedInFile) return `${runs} ${staysBefore(usedInFile, context, made.insert ? 'into a changeset of its own' : 'into a new migration')}`;
  const first = made.files[0];
  const jumped = first && laterUse(statement, context, first.path);
  if (jumped) return `${runs} ${movedPastUse(jumped, displayPath(first.path), move.outsideTransaction)}`;
  const where = first ? `in a new migration, ${displayPath(first.path)}` : 'in a changeset of its own';
  return { ...made, where: made.note ? `${where} (${made.note})` : where };
}

/** A migration's path relative to this one's folder, as the user knows it: `V3_1__x.sql`, `20240101120001_x/migration.sql`. */
const displayPath = (path: string) => (path.includes('/') ? path.replace(/^(\.\.\/)+/, '') : baseName(path));

/**
 * A migration of the set the new one at `newPath` would run after although it runs after this one
 * today, that names an object the statement names: the first to name the index it makes or drops,
 * else the first to name any (its table, …). Undefined when none does, or the set's folder is unknown.
 */
function laterUse(statement: Statement, context: RuleContext, newPath: string): { migration: string; name: string } | undefined {
  const own = indexNamesOf(statement);
  const names = [...own, ...objectNamesOf(statement).filter((name) => !own.includes(name))];
  if (names.length === 0) return undefined;
  const later = migrationsBetween(context.options, newPath);
  for (const name of names) {
    const mentions = mentionsOf(name);
    const user = later.find(({ tokens }) => tokens !== undefined && mentions({ tokens }));
    if (user) return { migration: displayPath(user.path), name };
  }
  return undefined;
}

/**
 * The first statement after this one in its section, starting before offset `end`, that names an
 * index this statement makes or drops: moved past it, the statement would change what it finds.
 */
function laterUseInFile(statement: Statement, statements: readonly Statement[], end: number): { statement: Statement; name: string } | undefined {
  const names = indexNamesOf(statement);
  return names.length === 0 ? undefined : firstMentionAfter(statement, statements, names, end);
}

/**
 * `laterUseInFile` up to the end of the statement's section, and up to its transaction's COMMIT: asked
 * about every statement a fix moves, so recorded questions (../support/recorded-questions.ts).
 */
const laterUseInSection = aboutStatement('later use in section', (statement: Statement, context: RuleContext) => laterUseInFile(statement, context.statements, sectionEnd(statement, context)));
const laterUseBeforeCommit = aboutStatement('later use before commit', (statement: Statement, context: RuleContext) => {
  const commit = statement.transaction.kind === 'explicit' ? context.statements[statement.transaction.end ?? context.statements.length] : undefined;
  return laterUseInFile(statement, context.statements, commit?.range.start ?? context.source.length);
});

/** The statement moved after its block's COMMIT (see `moveAfterTransaction`), as a recorded question. */
const movedAfterCommit = aboutStatement('moved after commit', (statement: Statement, context: RuleContext, text: string, title: string) =>
  moveAfterTransaction(statement, context.statements, context.source, text, title),
);

/** The edit removing the statement (see `statementRemoval`), as a recorded question. */
const removalOf = aboutStatement('removal of', (statement: Statement, context: RuleContext) => statementRemoval(context.source, statement));

/** Where the statement's section of the file ends. */
function sectionEnd(statement: Statement, context: RuleContext): number {
  return sectionOf(context.migration, statement)?.end ?? context.source.length;
}

/** Why the statement cannot move `where`: a later statement of the file names the index it makes or drops. */
function staysBefore({ statement: later, name }: { statement: Statement; name: string }, context: RuleContext, where: string): string {
  return (
    `Line ${lineOf(later, context)} also names ${name}, so this statement must stay before it: moved ${where}, it would run after that statement, ` +
    `which would then fail or act on another index. Move them together, by hand, to where both can run.`
  );
}

/** Why the statement cannot go to the new migration: it would run after a later migration that uses what it changes. */
function movedPastUse({ migration, name }: { migration: string; name: string }, newMigration: string, outsideTransaction: boolean): string {
  const where = outsideTransaction ? `before ${migration}, outside a transaction` : `after this one and before ${migration}`;
  return (
    `A new migration for it, ${newMigration}, would sort after the later migration ${migration}, which uses ${name}: moved there, ` +
    `the statement would run after that migration and act on what it left (or make it fail), which changes what the migrations do. ` +
    `Make this change by hand in a migration that runs ${where}.`
  );
}

/** A few words of the statement for the file name: `create_index_orders_customer_idx`. */
function migrationName(text: string): string {
  const head = text.split('(')[0]!;
  const words = head.split(/[^A-Za-z0-9]+/).filter((word) => word !== '' && !NOISE.has(word.toUpperCase()));
  return words.join('_').toLowerCase().slice(0, 60).replace(/_+$/, '') || 'migration';
}

const NOISE = new Set(['IF', 'NOT', 'EXISTS', 'CONCURRENTLY', 'ON', 'ONLY', 'PUBLIC', 'USING']);

/** The rollback of a moved CREATE INDEX (dropping the index it builds); none is derived for other statements. */
function undoOf(statement: Statement, text: string): string | undefined {
  const index = nodeAs(statement, 'IndexStmt');
  if (!index?.idxname || !index.relation || !/\bCONCURRENTLY\b/i.test(text)) return undefined;
  return `DROP INDEX CONCURRENTLY IF EXISTS ${displayRelation({ schema: index.relation.schemaname, name: index.idxname })}`;
}

/** Whether the runner sends the statement's section as one multi-statement query (a recorded question). */
export const sentAsOneQuery = aboutStatement('sent as one query', (statement: Statement, context: RuleContext): boolean => {
  const at = statement.range.start;
  return context.migration.sections.some((section) => section.wrapping === 'one-query' && at >= section.start && at < section.end);
});
