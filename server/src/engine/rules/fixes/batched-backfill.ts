import type { DeleteStmt, Node, UpdateStmt } from '@pgsql/types';
import { parsePlPgSQLSync } from 'libpg-query';
import { applyEdits } from '../../fixes/apply';
import { createdFileOptions } from '../../fixes/created-files';
import { isRunByDoBlock, doStatementOf } from '../../model/do-block';
import { executionPlan } from '../../model/execution-plan';
import { migrationModel } from '../../model/migration';
import { displayRelation, sameRelation, type RelationName, type RelationRef } from '../../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import type { LintOptions } from '../../options';
import { splitStatements } from '../../text/splitter';
import type { Fix, RuleContext } from '../rule';
import { lineOf } from '../support/lines';
import { emptiedByMove, runSectionWithoutTransaction } from './in-place-opt-out';
import { moveToNewMigration, sentAsOneQuery } from './new-migration';
import { moveAfterTransaction } from './transaction-block';

/*
 * The batched form of an unbounded UPDATE or DELETE: a DO block that walks the table's key in order,
 * applies the statement to one batch of keys at a time and commits after each, so that no row stays
 * locked for longer than a batch and VACUUM can keep up. A DO block may COMMIT only when it runs
 * outside a transaction block, alone in its query (PostgreSQL 11+): in place when the runner sends the
 * statement that way, else in a new migration that runs outside a transaction (see
 * docs/frameworks.md for each framework's way to get one).
 */

export const BATCH_SIZE = 5000;

/** The batched rewrite of `statement` (an UPDATE or DELETE of `table`), or why there is none. */
export function batchedBackfillFix(statement: ParsedStatement, table: RelationRef, context: RuleContext): Fix | string {
  if (context.options.pgVersion < 11) return 'The batched form commits inside a DO block, which PostgreSQL allows from version 11: batch the statement in a script or job.';
  if (isRunByDoBlock(statement)) return 'The statement runs inside a DO block: Lockguard does not rewrite the block; batch it there (walk the key, COMMIT after each batch).';
  const backfill = backfillOf(statement);
  if (typeof backfill === 'string') return backfill;
  const key = keyOf(statement, table, context);
  if (typeof key === 'string') return key;
  if (backfill.assigned.includes(key.name)) return `The statement changes ${displayRelation(table)}'s key ${key.name}, which the batched form walks: batch it by hand.`;
  const variables = loopVariables(statement, key.name, context, table);
  if (!variables) return 'The names the batched form would use for its loop variables are taken by columns: batch the statement by hand.';
  const block = batchedBlock({ ...backfill, relation: relationText(statement, table), key: quoteKey(key.name), keyType: key.type, ...variables });
  const title = `Run it in batches of ${BATCH_SIZE} rows that each commit (a DO block walking ${displayRelation(table)} by ${key.name})`;

  const markers = statementBlockMarkers(context);
  if (statement.transaction.kind === 'autocommit' && sentAlone(statement, context)) {
    const wrap = markers !== undefined && !sentAsOneQuery(statement, context);
    return { title, edits: [inPlace(statement, context.source, block, wrap ? markers : undefined)], preferred: true, autoApplicable: false };
  }
  const later = laterUseOf(statement, table, context);
  if (later) {
    return `A later statement of this migration uses ${displayRelation(table)} (line ${lineOf(later, context)}); moved out of the transaction, the backfill would run after it. Batch it by hand where it belongs.`;
  }
  if (statement.transaction.kind === 'explicit' && !markers && !sentAsOneQuery(statement, context)) {
    const moved = moveAfterTransaction(statement, context.statements, context.source, block, `${title}, after COMMIT`);
    if (typeof moved !== 'string') return moved;
  }
  // The only statement of its section stays, and the section runs without the transaction (a move would leave it empty).
  const emptied = emptiedByMove(statement, context);
  const moved = emptied
    ? runSectionWithoutTransaction(statement, emptied, context, { text: block, title, edit: inPlace(statement, context.source, block, markers) })
    : moveToNewMigration(statement, context, { text: block, title, outsideTransaction: true, name: `batched_${backfill.verb.toLowerCase()}_${table.name}`.toLowerCase() });
  if (typeof moved === 'string') return `A DO block can COMMIT only outside a transaction block: ${moved}`;
  const fix = withMarkersAndWholeBlock(moved, block, markers);
  if (runsOutsideTransactionBlock(fix, block, context)) return fix;
  return `A DO block can COMMIT only outside a transaction block, and ${context.migration.runner.name} would run the new migration in one: batch the statement in a script or job.`;
}

/**
 * Whether a statement run by a DO block changes one batch of a key walk: its WHERE bounds one
 * column from both sides by variables the block declares (`id >= batch_start AND id <= batch_end`),
 * as the batched form does.
 */
export function changesOneBatchOfWalk(statement: ParsedStatement, where: Node | undefined, context: RuleContext): boolean {
  if (!isRunByDoBlock(statement) || !where || !('BoolExpr' in where) || where.BoolExpr.boolop !== 'AND_EXPR') return false;
  const doStatement = doStatementOf(statement, context.statements);
  const declared = doStatement ? declaredVariables(doStatement) : new Set<string>();
  const lower = new Set<string>();
  const upper = new Set<string>();
  for (const term of where.BoolExpr.args ?? []) {
    const bound = boundByVariable(term, declared);
    if (bound) (bound.side === 'lower' ? lower : upper).add(bound.column);
  }
  return [...lower].some((column) => upper.has(column));
}

/** What the batched form carries over from the statement. */
interface Backfill {
  verb: 'UPDATE' | 'DELETE';
  /** The statement's text up to its WHERE (or all of it): `UPDATE orders SET status = 'new'`. */
  head: string;
  /** The WHERE condition as written, if any. */
  condition: string | undefined;
  /** The alias the statement gives the table (`UPDATE orders o`), which qualifies the key. */
  alias: string | undefined;
  /** The columns an UPDATE assigns. */
  assigned: string[];
}

function backfillOf(statement: ParsedStatement): Backfill | string {
  const update = nodeAs(statement, 'UpdateStmt');
  const remove = nodeAs(statement, 'DeleteStmt');
  const change: UpdateStmt | DeleteStmt | undefined = update ?? remove;
  if (!change?.relation) return 'Lockguard batches only a plain UPDATE or DELETE.';
  const extra = update?.fromClause?.length ? 'a FROM clause' : remove?.usingClause?.length ? 'a USING clause' : change.returningClause ? 'RETURNING' : change.withClause ? 'a WITH clause' : undefined;
  if (extra) return `The statement has ${extra}, which the batched form cannot carry over as it is: batch it by hand.`;
  if (change.whereClause && 'CurrentOfExpr' in change.whereClause) return 'WHERE CURRENT OF updates one row of a cursor: there is nothing to batch.';
  const target = { schema: change.relation.schemaname, name: change.relation.relname ?? '' };
  if (readsTable(change.whereClause, target) || (update && readsTable({ List: { items: update.targetList ?? [] } }, target))) {
    return `The statement reads ${displayRelation(target)} itself in a subquery: in batches, each would see the rows the previous ones changed. Batch it by hand.`;
  }
  const recomputed = update && selfReferencingAssignment(update);
  if (recomputed) {
    return `The UPDATE computes ${recomputed} from its own value: if the batched form failed part-way and ran again, the batches already committed would be changed twice. Batch it by hand, with a way to tell the rows already done.`;
  }
  const where = topLevelWhere(statement);
  if (change.whereClause && !where) return 'Lockguard could not find where the statement\'s WHERE clause is written.';
  const end = statement.range.end;
  return {
    verb: update ? 'UPDATE' : 'DELETE',
    head: statement.text.slice(0, (where ? where.start : end) - statement.range.start).trimEnd(),
    condition: where ? statement.text.slice(where.end - statement.range.start).trim() : undefined,
    alias: change.relation.alias?.aliasname,
    assigned: (update?.targetList ?? []).flatMap((target) => ('ResTarget' in target && target.ResTarget.name ? [target.ResTarget.name] : [])),
  };
}

/**
 * The first column the SET list assigns from a value that reads an assigned column (`disabled = NOT
 * disabled`, `n = n + 1`, `(a, b) = (b, a)`): such an UPDATE is not idempotent, so batches that
 * commit cannot simply be run again after a failure.
 */
function selfReferencingAssignment(update: UpdateStmt): string | undefined {
  const targets = (update.targetList ?? []).flatMap((target) => ('ResTarget' in target ? [target.ResTarget] : []));
  const assigned = new Set(targets.flatMap((target) => (target.name ? [target.name] : [])));
  return targets.find((target) => target.name && columnsRead(target.val).some((column) => assigned.has(column)))?.name;
}

/** The last part of every column reference in the expression. */
function columnsRead(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(columnsRead);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, child]) => {
    if (key !== 'ColumnRef') return columnsRead(child);
    const last = ((child as { fields?: Node[] }).fields ?? []).at(-1);
    return last && 'String' in last && last.String.sval ? [last.String.sval] : [];
  });
}

/** The `WHERE` keyword outside parentheses (the statement has no FROM, USING, RETURNING or WITH by then). */
function topLevelWhere(statement: ParsedStatement): { start: number; end: number } | undefined {
  let depth = 0;
  for (const token of statement.tokens) {
    if (token.value === '(' || token.value === '[') depth++;
    else if (token.value === ')' || token.value === ']') depth--;
    else if (depth === 0 && token.type === 'word' && token.value === 'WHERE') return token;
  }
  return undefined;
}

/** Whether a subquery in `node` reads `table` (or a table of the same name, when either is unqualified). */
function readsTable(node: Node | undefined, table: RelationName): boolean {
  const found: RelationName[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'RangeVar') {
        const rangeVar = child as { schemaname?: string; relname?: string };
        found.push({ schema: rangeVar.schemaname, name: rangeVar.relname ?? '' });
      }
      walk(child);
    }
  };
  walk(node);
  return found.some((other) => other.name === table.name && (!other.schema || !table.schema || sameRelation(other, table)));
}

interface Key {
  name: string;
  /** As a PL/pgSQL variable can be declared: `bigint`, `uuid`, `varchar(20)`. */
  type: string;
}

/** The table's single-column primary key (or NOT NULL unique column), as the migrations so far declare it. */
function keyOf(statement: Statement, table: RelationName, context: RuleContext): Key | string {
  const name = displayRelation(table);
  const schema = context.schema.before(statement.index);
  if (!schema.table(table)) {
    return `Lockguard does not know ${name}'s primary key (no earlier migration of this set creates the table), and the batched form walks the table by it. Batch the statement by hand, in a job or a migration that runs outside a transaction.`;
  }
  const constraints = schema.constraints(table);
  const primary = constraints.find((constraint) => constraint.kind === 'primary-key');
  const unique = constraints.find((constraint) => constraint.kind === 'unique' && constraint.columns.length === 1 && schema.column(table, constraint.columns[0]!)?.notNull);
  const keyColumn = primary ? (primary.columns.length === 1 ? primary.columns[0] : undefined) : unique?.columns[0];
  if (keyColumn === undefined) {
    return `${name} has no single-column primary key (or NOT NULL unique column) that the migrations declare, and the batched form walks the table by one. Batch the statement by hand.`;
  }
  const type = schema.column(table, keyColumn)?.typeText;
  if (!type) return `Lockguard does not know the type of ${name}'s key ${keyColumn}, which the batched form's loop variables need. Batch the statement by hand.`;
  return { name: keyColumn, type: SERIAL_TYPES[type.toLowerCase()] ?? type };
}

/** A serial column is an integer with a sequence: the loop variable is the integer. */
const SERIAL_TYPES: Readonly<Record<string, string>> = { smallserial: 'smallint', serial2: 'smallint', serial: 'integer', serial4: 'integer', bigserial: 'bigint', serial8: 'bigint' };

interface LoopVariables {
  start: string;
  end: string;
}

/** `batch_start`/`batch_end`, unless a column of the table or a name in the statement has them (PL/pgSQL would find the name ambiguous). */
function loopVariables(statement: ParsedStatement, key: string, context: RuleContext, table: RelationName): LoopVariables | undefined {
  const columns = context.schema.before(statement.index).table(table)?.columns.map((column) => column.name.toLowerCase()) ?? [];
  const words = new Set([...statement.tokens.map((token) => token.value.toLowerCase()), ...columns, key.toLowerCase()]);
  return [
    { start: 'batch_start', end: 'batch_end' },
    { start: 'backfill_batch_start', end: 'backfill_batch_end' },
  ].find((names) => !words.has(names.start) && !words.has(names.end));
}

/** The table's name as the statement writes it (quoting kept). */
function relationText(statement: ParsedStatement, table: RelationRef): string {
  const tokens = statement.tokens;
  const first = tokens.findIndex((token) => token.start === table.range?.start);
  if (first < 0) return displayRelation(table);
  let last = first;
  while (tokens[last + 1]?.value === '.' && tokens[last + 2]) last += 2;
  return statement.text.slice(tokens[first]!.start - statement.range.start, tokens[last]!.end - statement.range.start);
}

function quoteKey(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** PostgreSQL's reserved key words (and those reserved as column names), which a column name must quote. */
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast char character check coalesce collate collation column concurrently ' +
    'constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable desc distinct do else end ' +
    'except exists extract false fetch float for foreign freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect interval into is isnull join ' +
    'lateral leading least left like limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay ' +
    'placing position precision primary real references returning right row select session_user setof similar smallint some substring symmetric system_user table tablesample then time ' +
    'timestamp to trailing treat trim true union unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest ' +
    'xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
);

interface BlockParts extends Backfill, LoopVariables {
  relation: string;
  key: string;
  keyType: string;
}

/**
 * The DO block: from the smallest key, take the next BATCH_SIZE keys in order, apply the statement
 * to the rows in that key range, COMMIT, and go on from the first key after it until none is left.
 */
function batchedBlock(parts: BlockParts): string {
  const { relation, key, keyType, start, end, head, condition, alias } = parts;
  const column = alias ? `${quoteKey(alias)}.${key}` : key;
  const inBatch = `${column} >= ${start} AND ${column} <= ${end}${condition ? ` AND (${condition})` : ''}`;
  return [
    'DO $$',
    'DECLARE',
    `  ${start} ${keyType};`,
    `  ${end} ${keyType};`,
    'BEGIN',
    `  SELECT min(${key}) INTO ${start} FROM ${relation};`,
    `  WHILE ${start} IS NOT NULL LOOP`,
    `    SELECT max(${key}) INTO ${end} FROM (SELECT ${key} FROM ${relation} WHERE ${key} >= ${start} ORDER BY ${key} LIMIT ${BATCH_SIZE}) AS batch;`,
    `    ${head} WHERE ${inBatch};`,
    '    COMMIT;',
    `    SELECT min(${key}) INTO ${start} FROM ${relation} WHERE ${key} > ${end};`,
    '  END LOOP;',
    'END',
    '$$',
  ].join('\n');
}

/** Whether the runner sends the statement on its own, as one query. */
function sentAlone(statement: Statement, context: RuleContext): boolean {
  const step = executionPlan(context.source, context.statements, context.migration).find((candidate) => candidate.kind === 'query' && candidate.statements.includes(statement));
  return step?.kind === 'query' && step.statements.length === 1;
}

/**
 * Runners that split a file on semicolons unless a statement is marked as one block (docs/frameworks.md):
 * the DO block's body has semicolons.
 */
const STATEMENT_BLOCKS: Readonly<Record<string, { begin: string; end: string }>> = {
  goose: { begin: '-- +goose StatementBegin', end: '-- +goose StatementEnd' },
  'sql-migrate': { begin: '-- +migrate StatementBegin', end: '-- +migrate StatementEnd' },
};

const statementBlockMarkers = (context: RuleContext) => STATEMENT_BLOCKS[context.migration.framework?.id ?? ''];

/** The statement (and its semicolon) replaced by the block, between the runner's block markers when it needs them (markers start their line). */
function inPlace(statement: Statement, source: string, block: string, markers: { begin: string; end: string } | undefined) {
  const end = statement.terminator === undefined ? statement.range.end : statement.terminator + 1;
  const semicolon = statement.terminator === undefined ? '' : ';';
  if (!markers) return { range: { start: statement.range.start, end }, newText: `${block}${semicolon}` };
  const atLineStart = statement.range.start === 0 || source[statement.range.start - 1] === '\n';
  const lineFollows = end === source.length || source[end] === '\n' || source[end] === '\r';
  return { range: { start: statement.range.start, end }, newText: `${atLineStart ? '' : '\n'}${markers.begin}\n${block};\n${markers.end}${lineFollows ? '' : '\n'}` };
}

/**
 * The moved block as the runner must see it in its new place: between block markers (goose,
 * sql-migrate), and in a Liquibase changeset that is not split on semicolons.
 */
function withMarkersAndWholeBlock(fix: Fix, block: string, markers: { begin: string; end: string } | undefined): Fix {
  const moved = `${block};\n`;
  const marked = markers ? `${markers.begin}\n${moved}${markers.end}\n` : moved;
  return {
    ...fix,
    edits: fix.edits.map((edit) =>
      edit.newText.includes(moved) || edit.newText === ' runInTransaction:false'
        ? { ...edit, newText: edit.newText.replace(/ runInTransaction:false(\n|$)/, (_, end: string) => ` runInTransaction:false splitStatements:false${end}`) }
        : edit,
    ),
    createFiles: fix.createFiles?.map((file) => ({ ...file, text: file.text.replace(moved, () => marked) })),
  };
}

/**
 * Whether, with the fix applied, the runner sends the block alone and outside a transaction block:
 * read with the framework's own rules, from the new file (its `.conf` or `metadata.toml` beside it),
 * or from this file for a changeset inserted into it.
 */
function runsOutsideTransactionBlock(fix: Fix, block: string, context: RuleContext): boolean {
  const created = (fix.createFiles ?? []).find((file) => file.text.includes(block));
  if (created) {
    const options = { ...context.options, ...createdFileOptions(context.options, fix.createFiles!, created) } as LintOptions;
    return blockRunsAlone(created.text, created.text.indexOf(block), options);
  }
  const fixed = applyEdits(context.source, fix.edits);
  // A file the fix creates beside this one (diesel's metadata.toml) is read as the runner reads it.
  const beside = fix.createFiles ?? [];
  const readSibling = (name: string) => beside.find((file) => file.path === name)?.text ?? context.options.readSibling?.(name);
  return blockRunsAlone(fixed, fixed.indexOf(block), beside.length > 0 ? { ...context.options, readSibling } : context.options);
}

function blockRunsAlone(text: string, at: number, options: LintOptions): boolean {
  if (at < 0) return false;
  const section = migrationModel(text, options, { allTransactionIncapable: () => false }).sections.find((candidate) => at >= candidate.start && at < candidate.end);
  if (!section || section.kind !== 'up' || section.wrapping === 'transaction') return false;
  return section.wrapping === 'none' || splitStatements(text.slice(section.start, section.end)).length === 1;
}

/** The first statement after `statement` in its section that names the table (its name as a word): it may depend on the backfill. */
function laterUseOf(statement: Statement, table: RelationName, context: RuleContext): Statement | undefined {
  const name = table.name.toLowerCase();
  for (let i = statement.index + 1; i < context.statements.length; i++) {
    const later = context.statements[i]!;
    if (later.section !== 'up') continue;
    if (later.tokens.some((token) => (token.type === 'word' ? token.value.toLowerCase() : token.type === 'quoted-identifier' ? token.value.slice(1, -1) : '') === name)) return later;
  }
  return undefined;
}

/** The variables a DO block declares, as PL/pgSQL's parser reads them. */
function declaredVariables(doStatement: ParsedStatement): Set<string> {
  try {
    const parsed = parsePlPgSQLSync(doStatement.text) as { plpgsql_funcs?: { PLpgSQL_function?: { datums?: { PLpgSQL_var?: { refname?: string; lineno?: number } }[] } }[] };
    const datums = parsed.plpgsql_funcs?.[0]?.PLpgSQL_function?.datums ?? [];
    // `found` is PL/pgSQL's own (no line): not a bound anyone declares.
    return new Set(datums.flatMap((datum) => (datum.PLpgSQL_var?.refname && datum.PLpgSQL_var.lineno !== undefined ? [datum.PLpgSQL_var.refname.toLowerCase()] : [])));
  } catch {
    return new Set();
  }
}

const BOUND_SIDE: Readonly<Record<string, 'lower' | 'upper'>> = { '>': 'lower', '>=': 'lower', '<': 'upper', '<=': 'upper' };
const FLIPPED = { lower: 'upper', upper: 'lower' } as const;

/** `id >= batch_start` bounds `id` from below by a declared variable; `batch_end >= id` from above. */
function boundByVariable(term: Node, declared: ReadonlySet<string>): { column: string; side: 'lower' | 'upper' } | undefined {
  if (!('A_Expr' in term) || term.A_Expr.kind !== 'AEXPR_OP') return undefined;
  const { name, lexpr, rexpr } = term.A_Expr;
  const operator = name?.map((part) => ('String' in part ? part.String.sval : '')).join('.');
  const side = BOUND_SIDE[operator ?? ''];
  if (!side || !lexpr || !rexpr) return undefined;
  const [left, right] = [columnOf(lexpr), columnOf(rexpr)];
  if (left && right && declared.has(right.toLowerCase()) && !declared.has(left.toLowerCase())) return { column: left, side };
  if (left && right && declared.has(left.toLowerCase()) && !declared.has(right.toLowerCase())) return { column: right, side: FLIPPED[side] };
  return undefined;
}

/** The column (or variable) a reference names: `id`, `o.id`. */
function columnOf(node: Node): string | undefined {
  if (!('ColumnRef' in node)) return undefined;
  const fields = node.ColumnRef.fields ?? [];
  const last = fields.at(-1);
  return last && 'String' in last ? last.String.sval : undefined;
}
