import { baseName } from '../../model/frameworks/framework';
import { displayRelation } from '../../model/relations';
import { nodeAs, type Statement } from '../../model/statement';
import type { Fix, RuleContext } from '../rule';
import { moveAfterTransaction, statementRemoval } from './transaction-block';

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
    const moved = moveAfterTransaction(statement, context.statements, context.source, move.text, `${move.title} after COMMIT${move.outsideTransaction ? ' (CONCURRENTLY cannot run inside a transaction block)' : ''}`);
    if (typeof moved !== 'string') return moved;
    const elsewhere = moveToNewMigration(statement, context, move);
    // Without a framework to name a new migration, why the block's own way out fails says more.
    return typeof elsewhere === 'string' ? moved : elsewhere;
  }
  return moveToNewMigration(statement, context, move);
}

/** The statement removed from this file and written into a new migration of the framework's kind. */
export function moveToNewMigration(statement: Statement, context: RuleContext, move: Move): Fix | string {
  const made = newMigrationFor(statement, context, move, move.text);
  if (typeof made === 'string') return made;
  const edits = [statementRemoval(context.source, statement), ...(made.insert ? [{ range: { start: made.insert.at, end: made.insert.at }, newText: made.insert.text }] : [])];
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
    { path, source: context.source, siblings: (folder) => context.options.listSiblings?.(folder) ?? [] },
    { text, at: statement.range.start, name: move.name ?? migrationName(text), outsideTransaction: move.outsideTransaction, undo: undoOf(statement, text) },
  );
  if (typeof made === 'string') return `${runs} ${framework.optOut} ${made}`;
  const first = made.files[0];
  const where = first ? `in a new migration, ${first.path.includes('/') ? first.path.replace(/^(\.\.\/)+/, '') : baseName(first.path)}` : 'in a changeset of its own';
  return { ...made, where: made.note ? `${where} (${made.note})` : where };
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

/** Whether the runner sends the statement's section as one multi-statement query. */
export function sentAsOneQuery(statement: Statement, context: RuleContext): boolean {
  const at = statement.range.start;
  return context.migration.sections.some((section) => section.wrapping === 'one-query' && at >= section.start && at < section.end);
}
