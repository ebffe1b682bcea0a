import type { ColumnDef, Constraint, Node } from '@pgsql/types';
import type { LockMode } from '../../locks/lock-modes';
import { doStatementOf, isRunByDoBlock, type RunByDoBlock } from '../../model/do-block';
import type { Runner } from '../../model/frameworks/framework';
import { displayRelation, sameRelation, type RelationName } from '../../model/relations';
import { namesOf, referencedColumns } from '../../model/syntax-names';

export { namesOf, referencedColumns } from '../../model/syntax-names';
import { nodeAs, type ParsedStatement, type Statement, type TransactionContext } from '../../model/statement';
import type { Token } from '../../text/lexer';
import type { OffsetRange } from '../../text/positions';
import { followingMigration, sentAsOneQuery } from '../fixes/new-migration';
import { moveAfterTransaction } from '../fixes/transaction-block';
import type { Fix, RuleContext, TextEdit } from '../rule';

/** A constraint an ALTER TABLE adds: by ADD CONSTRAINT, or inline in an ADD COLUMN. */
export interface AddedConstraint {
  constraint: Constraint;
  /** The column an ADD COLUMN declares it on (inline constraints only). */
  column: ColumnDef | undefined;
  /** Document range of the constraint clause, from CONSTRAINT name (or its keyword) to its last token. */
  range: OffsetRange;
  /** Where the ADD … subcommand holding it ends (before a comma or the end of the statement). */
  clauseEnd: number;
}

/** The constraints an ALTER TABLE statement adds, in order. */
export function addedConstraints(statement: ParsedStatement): readonly AddedConstraint[] {
  if (statement.alterTableCommands.length === 0) return NO_CONSTRAINTS;
  let added = ADDED_CONSTRAINTS.get(statement);
  if (!added) ADDED_CONSTRAINTS.set(statement, (added = findAddedConstraints(statement)));
  return added;
}

const NO_CONSTRAINTS: readonly AddedConstraint[] = [];
/** A dozen rules ask about each ALTER TABLE: its own text is read once. */
const ADDED_CONSTRAINTS = new WeakMap<ParsedStatement, readonly AddedConstraint[]>();

function findAddedConstraints(statement: ParsedStatement): AddedConstraint[] {
  return statement.alterTableCommands.flatMap((cmd): AddedConstraint[] => {
    if (cmd.subtype === 'AT_AddConstraint' && cmd.def && 'Constraint' in cmd.def) {
      const constraint = cmd.def.Constraint;
      const start = statement.locate(constraint.location ?? 0);
      const end = clauseEnd(statement, start);
      return [{ constraint, column: undefined, range: { start, end }, clauseEnd: end }];
    }
    if (cmd.subtype === 'AT_AddColumn' && cmd.def && 'ColumnDef' in cmd.def) {
      const column = cmd.def.ColumnDef;
      const inline = constraintsOf(column.constraints);
      return inline.map((constraint, index) => {
        const start = statement.locate(constraint.location ?? 0);
        const end = clauseEnd(statement, start);
        const next = inline[index + 1];
        const range = { start, end: next ? lastTokenBefore(statement, statement.locate(next.location ?? 0)) : end };
        return { constraint, column, range, clauseEnd: end };
      });
    }
    return [];
  });
}

export const constraintsOf = (nodes: readonly Node[] | undefined): Constraint[] =>
  (nodes ?? []).flatMap((node) => ('Constraint' in node ? [node.Constraint] : []));

/** Whether adding the constraint checks the existing rows (no NOT VALID, not NOT ENFORCED). */
export const validatesExistingRows = (constraint: Constraint) => !constraint.skip_validation;

/** The end of the top-level comma-separated clause starting at `from`. */
function clauseEnd(statement: ParsedStatement, from: number): number {
  let depth = 0;
  let end = from;
  for (const token of statement.tokens) {
    if (token.start < from) continue;
    if (token.value === '(') depth++;
    else if (token.value === ')') depth--;
    else if (token.value === ',' && depth === 0) break;
    end = token.end;
  }
  return end;
}

function lastTokenBefore(statement: ParsedStatement, offset: number): number {
  return statement.tokens.filter((token) => token.end <= offset).pop()?.end ?? offset;
}

/** The first word token `word` (upper case) within `range`. */
export function keywordIn(statement: Statement, range: OffsetRange, word: string): Token | undefined {
  return statement.tokens.find((token) => token.start >= range.start && token.end <= range.end && token.type === 'word' && token.value === word);
}

/** The names of a list of String nodes (column lists, dotted names). */


/** The foreign key's referencing columns. */
export const foreignKeyColumns = (added: Pick<AddedConstraint, 'constraint' | 'column'>): string[] =>
  added.column?.colname !== undefined ? [added.column.colname] : namesOf(added.constraint.fk_attrs);

/**
 * The constraint's name: its own, or the one PostgreSQL chooses for an unnamed one (ChooseConstraintName:
 * `table_cols_fkey`, `table_col_check` when the expression uses one column, else `table_check`).
 * A clash with an existing name would make PostgreSQL append a digit; that cannot be seen from the file.
 */
export function constraintName(table: RelationName, added: Pick<AddedConstraint, 'constraint' | 'column'>): string {
  const { constraint, column } = added;
  if (constraint.conname) return constraint.conname;
  switch (constraint.contype) {
    case 'CONSTR_FOREIGN':
      return [table.name, ...foreignKeyColumns(added), 'fkey'].join('_');
    case 'CONSTR_CHECK': {
      const columns = column?.colname !== undefined ? [column.colname] : referencedColumns(constraint.raw_expr);
      return [table.name, ...(columns.length === 1 ? columns : []), 'check'].join('_');
    }
    case 'CONSTR_PRIMARY':
      return `${table.name}_pkey`;
    case 'CONSTR_NOTNULL':
      return [table.name, ...namesOf(constraint.keys), 'not_null'].join('_');
    default:
      return [table.name, ...(column?.colname !== undefined ? [column.colname] : namesOf(constraint.keys)), 'key'].join('_');
  }
}

/** "an ACCESS EXCLUSIVE lock", "a SHARE ROW EXCLUSIVE lock". */
export const lockPhrase = (mode: LockMode) => `${/^[AEIOU]/.test(mode) ? 'an' : 'a'} ${mode} lock`;

/** An identifier as SQL needs it written (quoted when not a plain lower-case name). */
export const quoteIdentifier = (name: string) => displayRelation({ schema: undefined, name });

/** The altered table as the statement writes it (keeps the user's quoting and schema). */
export function tableText(statement: ParsedStatement, context: RuleContext): string {
  const target = statement.targets[0]!;
  return target.range ? context.source.slice(target.range.start, target.range.end) : displayRelation(target);
}

/**
 * Where a statement that must run after this one's transaction goes (a VALIDATE, say): right after
 * the statement in autocommit, after the COMMIT of an explicit block. Returns why not when the
 * migration tool runs the whole file in one transaction or the block is never closed.
 */
export function insertAfterTransaction(statement: ParsedStatement, context: RuleContext, sql: string): TextEdit | string {
  if (statement.transaction.kind === 'autocommit') return insertAfterStatement(statement, context.source, sql);
  const moved = moveAfterTransaction(statement, context.statements, context.source, sql, '');
  // The move's last edit is the insertion after COMMIT; the statement itself stays where it is.
  return typeof moved === 'string' ? moved : moved.edits[moved.edits.length - 1]!;
}

/** Inserts `sql;` on a line of its own after the statement (and after a comment ending its line). */
export function insertAfterStatement(statement: Statement, source: string, sql: string): TextEdit {
  const after = statement.terminator === undefined ? statement.range.end : statement.terminator + 1;
  const newline = source.indexOf('\n', after);
  const lineEnd = newline === -1 ? source.length : source[newline - 1] === '\r' ? newline - 1 : newline;
  const rest = source.slice(after, lineEnd).trim();
  const at = rest === '' || rest.startsWith('--') ? lineEnd : after;
  return { range: { start: at, end: at }, newText: `${statement.terminator === undefined ? ';' : ''}\n${sql};` };
}

/** Whether two statements run in the same transaction (so a lock the first takes is held by the second). */
export function sameTransaction(a: TransactionContext, b: TransactionContext): boolean {
  if (a.kind === 'explicit' && b.kind === 'explicit') return a.begin === b.begin;
  return a.kind === 'implicit' && b.kind === 'implicit' && a.start === b.start;
}

/** The parsed statements before `statement` in its transaction, oldest first; an explicit block is read from its BEGIN only. */
export function earlierInSameTransaction(statement: Statement, context: RuleContext): ParsedStatement[] {
  const { transaction } = statement;
  if (transaction.kind === 'autocommit') return [];
  const from = transaction.kind === 'explicit' ? transaction.begin : transaction.start;
  return context.statements
    .slice(from, statement.index)
    .filter((earlier): earlier is ParsedStatement => earlier.kind === 'parsed' && sameTransaction(earlier.transaction, transaction));
}

/** A NOT VALID constraint added earlier in the same transaction, that a VALIDATE CONSTRAINT validates. */
export interface ValidatedInSameTransaction {
  adding: ParsedStatement;
  added: AddedConstraint;
}

/**
 * For `ALTER TABLE t VALIDATE CONSTRAINT c`: the earlier statement of the same transaction that
 * added `c` to `t` as NOT VALID (its lock is still held while VALIDATE scans).
 */
export function validatedInSameTransaction(statement: Statement, context: RuleContext): ValidatedInSameTransaction | undefined {
  if (statement.kind !== 'parsed' || statement.transaction.kind === 'autocommit' || !nodeAs(statement, 'AlterTableStmt')) return undefined;
  const validate = statement.alterTableCommands.find((cmd) => cmd.subtype === 'AT_ValidateConstraint');
  if (validate?.name === undefined) return undefined;
  const table = statement.targets[0]!;
  for (const earlier of earlierInSameTransaction(statement, context).reverse()) {
    if (!nodeAs(earlier, 'AlterTableStmt')) continue;
    const earlierTable = earlier.targets[0];
    if (!earlierTable || !sameRelation(earlierTable, table)) continue;
    const added = addedConstraints(earlier).find((candidate) => constraintName(earlierTable, candidate) === validate.name);
    if (added) return added.constraint.skip_validation ? { adding: earlier, added } : undefined;
  }
  return undefined;
}

/** The underlined part of an added constraint: from its ADD through `keyword` (e.g. `ADD CONSTRAINT c FOREIGN KEY`). */
export function constraintHeadline(statement: ParsedStatement, added: AddedConstraint, keyword: string): OffsetRange {
  const add = statement.tokens.filter((token) => token.end <= added.range.start && token.type === 'word' && token.value === 'ADD').pop();
  const start = added.column ? added.range.start : (add?.start ?? added.range.start);
  const end = keywordIn(statement, added.range, keyword)?.end ?? added.range.end;
  return { start, end };
}

/**
 * The NOT VALID + VALIDATE CONSTRAINT rewrite of a FOREIGN KEY or CHECK constraint: the constraint is
 * added NOT VALID (named, so VALIDATE can find it) — an inline ADD COLUMN constraint becomes an ADD
 * CONSTRAINT of the same statement, since column constraints cannot be NOT VALID — and VALIDATE runs
 * in its own transaction: after the statement in autocommit, after COMMIT in a transaction block. When
 * the whole file is one transaction, VALIDATE is left, as a comment, where `validateOutsideTheRunner` says.
 */
export function notValidFix(statement: ParsedStatement, context: RuleContext, added: AddedConstraint, keyword: 'REFERENCES' | 'CHECK'): Fix {
  const table = statement.targets[0]!;
  const name = quoteIdentifier(constraintName(table, added));
  const validate = `ALTER TABLE ${tableText(statement, context)} VALIDATE CONSTRAINT ${name}`;
  const edits = added.column ? inlineToNotValid(statement, context, added, name, keyword) : tableConstraintToNotValid(added, name);
  // A lone statement a runner sends as one query (Prisma, golang-migrate): a VALIDATE added after it would share its implicit transaction.
  const after = statement.transaction.kind === 'autocommit' && sentAsOneQuery(statement, context) ? 'one query' : insertAfterTransaction(statement, context, validate);
  if (typeof after !== 'string') {
    const where = statement.transaction.kind === 'autocommit' ? 'in its own transaction' : 'after COMMIT';
    return { title: `Add the constraint NOT VALID, then VALIDATE CONSTRAINT ${where}`, edits: [...edits, after], preferred: true, autoApplicable: false };
  }
  const following = followingMigration(statement, context, validate);
  if (typeof following !== 'string') {
    return {
      title: `Add the constraint NOT VALID; VALIDATE CONSTRAINT ${following.where}`,
      edits: [...edits, ...following.edits],
      createFiles: following.createFiles,
      preferred: true,
      autoApplicable: false,
    };
  }
  // The whole file is one transaction (or its block never closes): validating in it would hold the ADD's lock through the scan.
  const { where } = validateOutsideTheRunner(context.migration.runner);
  const note = insertAfterStatement(statement, context.source, `-- lockguard: validate ${where}: ${validate}`);
  return {
    title: `Add the constraint NOT VALID; VALIDATE CONSTRAINT ${where}`,
    edits: [...edits, note],
    preferred: true,
    autoApplicable: false,
  };
}

/**
 * For a constraint a DO block adds (undefined for any other statement): why the NOT VALID rewrite is
 * not offered, and how to make it by hand. Unlike a concurrent build nothing has to leave the block:
 * NOT VALID goes in place, and only VALIDATE runs later, after the transaction the block runs in.
 */
export function notValidInDoBlock(statement: ParsedStatement, context: RuleContext, added: AddedConstraint): string | undefined {
  if (!isRunByDoBlock(statement)) return undefined;
  const table = statement.targets[0]!;
  // The statement may not be written in the block as it runs (an EXECUTE string): named, not quoted from the file.
  const validate = `ALTER TABLE ${displayRelation(table)} VALIDATE CONSTRAINT ${quoteIdentifier(constraintName(table, added))}`;
  const notValid = added.column
    ? 'add the constraint as an ADD CONSTRAINT … NOT VALID of the same statement (a column constraint cannot be NOT VALID)'
    : 'add NOT VALID to the constraint';
  return `This statement runs inside a DO block, which Lockguard does not rewrite: ${notValid} where it stands in the block, and run ${validate} ${validateAfterDoBlock(statement, context)}.`;
}

/** Where VALIDATE goes for a constraint a DO block adds: after the transaction of the DO statement the runner sends. */
function validateAfterDoBlock(statement: RunByDoBlock, context: RuleContext): string {
  const sent = outermostDoStatement(statement, context.statements) ?? statement;
  const { transaction } = sent;
  if (transaction.kind === 'explicit' && transaction.end !== undefined) return 'after the COMMIT that ends the block\'s transaction';
  // Alone in autocommit the block is its own transaction; in a section sent as one query a statement after it would share one.
  if (transaction.kind === 'autocommit' && !sentAsOneQuery(sent, context)) return 'right after the DO statement (the block commits when it ends)';
  return validateOutsideTheRunner(context.migration.runner).where;
}

/** The DO statement written in the file that runs `statement`, through any DO blocks nested in it. */
function outermostDoStatement(statement: RunByDoBlock, statements: readonly Statement[]): ParsedStatement | undefined {
  let outer = doStatementOf(statement, statements);
  while (outer && isRunByDoBlock(outer)) outer = doStatementOf(outer, statements);
  return outer;
}

/**
 * Where VALIDATE CONSTRAINT goes when the runner's transaction holds the whole file, and why: the next
 * migration — unless the runner runs every pending migration in that one transaction (Authelia,
 * Drizzle), so the next one would still hold the lock: then by hand, once the migrations have run.
 */
export function validateOutsideTheRunner(tool: Runner): { where: string; why: string } {
  if (!tool.oneTransactionForAllPending) return { where: 'in the next migration, outside this transaction', why: `${tool.name} runs this whole file in one transaction` };
  return {
    where: `by hand (e.g. with psql) after ${tool.name} has run the migrations, outside its transaction`,
    why: `${tool.name} runs this whole file, and every other pending migration, in one transaction: the next migration would still hold the lock`,
  };
}

function tableConstraintToNotValid(added: AddedConstraint, name: string): TextEdit[] {
  const naming: TextEdit[] = added.constraint.conname ? [] : [{ range: { start: added.range.start, end: added.range.start }, newText: `CONSTRAINT ${name} ` }];
  return [...naming, { range: { start: added.range.end, end: added.range.end }, newText: ' NOT VALID' }];
}

/** `ADD COLUMN x int REFERENCES p` → `ADD COLUMN x int, ADD CONSTRAINT t_x_fkey FOREIGN KEY (x) REFERENCES p NOT VALID`. */
function inlineToNotValid(statement: ParsedStatement, context: RuleContext, added: AddedConstraint, name: string, keyword: 'REFERENCES' | 'CHECK'): TextEdit[] {
  const body = keywordIn(statement, added.range, keyword)!;
  const definition = context.source.slice(body.start, added.range.end);
  const column = quoteIdentifier(added.column!.colname!);
  const constraint = keyword === 'REFERENCES' ? `FOREIGN KEY (${column}) ${definition}` : definition;
  const removeFrom = lastTokenBefore(statement, added.range.start);
  return [
    { range: { start: removeFrom, end: added.range.end }, newText: '' },
    { range: { start: added.clauseEnd, end: added.clauseEnd }, newText: `, ADD CONSTRAINT ${name} ${constraint} NOT VALID` },
  ];
}
