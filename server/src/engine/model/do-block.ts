import { parsePlPgSQLSync } from 'libpg-query';
import type { PostgresParser } from '../parse/parser';
import { isTrivia, lex, type Token } from '../text/lexer';
import type { OffsetRange } from '../text/positions';
import { readStringConstant } from '../text/string-literal';
import { parseEmbeddedSql, type EmbeddedSql } from './embedded-statements';
import { nodeAs, type DoBlockRun, type ParsedStatement, type Statement } from './statement';

export type { DoBlockRun } from './statement';

/*
 * A DO block runs its statements when the migration runs, unlike a function body, which runs when
 * the function is called. This module finds the SQL a block runs — its SQL statements, in nested
 * blocks, branches, loops and exception handlers too, and the string constants it EXECUTEs — and
 * where each is written in the document. PL/pgSQL's own statements (IF, PERFORM, RAISE,
 * assignments, …) are not SQL to check. SQL built while the block runs cannot be followed: it is
 * reported, with why, so that the editor can say so.
 */


/** A statement a DO block runs, modelled in document offsets like the file's own statements. */
export type RunByDoBlock = ParsedStatement & { runBy: DoBlockRun };

/** SQL a DO block runs, and where it is written. */
export interface DoBlockSql extends EmbeddedSql {
  via: DoBlockRun['via'];
}

/** Something in a DO block whose SQL Lockguard did not check, and why, for the user. */
export interface NotFollowed {
  kind: 'dynamic-execute' | 'invalid-block' | 'invalid-sql' | 'templated' | 'other-language' | 'unlocated';
  range: OffsetRange;
  message: string;
}

export interface DoBlockReading {
  /** In the order the block is written. */
  sql: DoBlockSql[];
  notFollowed: NotFollowed[];
}

export interface DoBlockAnalysis {
  /** In the order the block is written, each DO nested in the block followed by its own. */
  statements: RunByDoBlock[];
  notFollowed: NotFollowed[];
}

/**
 * The statements a DO statement runs, numbered from `firstIndex` (where they join the file's
 * statement list: right after the DO statement), in the DO statement's transaction; undefined for
 * other statements.
 */
export function analyseDoBlock(doStatement: ParsedStatement, parser: PostgresParser, firstIndex = doStatement.index + 1): DoBlockAnalysis | undefined {
  const reading = readDoBlock(doStatement);
  if (!reading) return undefined;
  const statements: RunByDoBlock[] = [];
  const notFollowed = [...reading.notFollowed];
  for (const sql of reading.sql) {
    const parsed = parseEmbeddedSql(sql, parser, { firstIndex: firstIndex + statements.length, transaction: doStatement.transaction, section: doStatement.section });
    if (!parsed.ok) {
      const placeholder = TEMPLATE_SYNTAX.exec(sql.text);
      notFollowed.push(
        placeholder
          ? { kind: 'templated', range: sql.placed(placeholder.index, placeholder.index + placeholder[0].length), message: TEMPLATED_MESSAGE }
          : { kind: 'invalid-sql', range: parsed.range, message: `PostgreSQL cannot parse the SQL this block runs here (${parsed.message}), so it was not checked; the block fails when it reaches it.` },
      );
      continue;
    }
    for (const statement of parsed.statements) {
      if (statement.nodeType === 'TransactionStmt') {
        // PL/pgSQL has its own COMMIT and ROLLBACK; it refuses transaction commands as SQL or through EXECUTE.
        notFollowed.push({ kind: 'invalid-sql', range: statement.range, message: 'PL/pgSQL cannot run this transaction command as SQL: the block fails when it reaches it.' });
        continue;
      }
      statements.push(Object.assign(statement, { runBy: { via: sql.via, verbatim: sql.verbatim } }));
      // A DO inside the block runs its statements too; only where it is written out can they be placed.
      const nested = sql.verbatim ? analyseDoBlock(statement, parser, firstIndex + statements.length) : undefined;
      if (nested) {
        statements.push(...nested.statements);
        notFollowed.push(...nested.notFollowed);
      }
    }
  }
  notFollowed.sort((a, b) => a.range.start - b.range.start);
  return { statements, notFollowed };
}

/** The statements the DO statement runs, to insert right after it in the file's statement list (see `analyseDoBlock`). */
export function statementsInDoBlock(doStatement: Statement, parser: PostgresParser, firstIndex = doStatement.index + 1): RunByDoBlock[] {
  return doStatement.kind === 'parsed' ? analyseDoBlock(doStatement, parser, firstIndex)?.statements ?? [] : [];
}

export const isRunByDoBlock = (statement: Statement): statement is RunByDoBlock => statement.kind === 'parsed' && statement.runBy !== undefined;

/**
 * The DO statement that runs `statement`: the closest DO statement before it whose range holds it.
 * Statements run by a block follow it in the list, so this holds as statements move after an edit.
 */
export function doStatementOf(statement: RunByDoBlock, statements: readonly Statement[]): ParsedStatement | undefined {
  for (let i = statement.index - 1; i >= 0; i--) {
    const candidate = statements[i]!;
    if (candidate.kind === 'parsed' && candidate.nodeType === 'DoStmt' && candidate.range.start <= statement.range.start && statement.range.end <= candidate.range.end) return candidate;
  }
  return undefined;
}

/**
 * The SQL a DO statement runs, and what in it could not be followed; undefined for other statements.
 * PL/pgSQL is read by libpg_query's PL/pgSQL parser, loaded with the SQL parser that parsed the statement.
 */
export function readDoBlock(statement: ParsedStatement): DoBlockReading | undefined {
  const doStmt = nodeAs(statement, 'DoStmt');
  if (!doStmt) return undefined;
  let source = '';
  let language = 'plpgsql';
  for (const arg of doStmt.args ?? []) {
    if (!('DefElem' in arg)) continue;
    const value = arg.DefElem.arg && 'String' in arg.DefElem.arg ? arg.DefElem.arg.String.sval ?? '' : '';
    if (arg.DefElem.defname === 'as') source = value;
    else if (arg.DefElem.defname === 'language') language = value.toLowerCase();
  }
  const body = placeBody(statement, source);
  if (language !== 'plpgsql') {
    return { sql: [], notFollowed: [{ kind: 'other-language', range: body.range, message: `This DO block is written in ${language}: Lockguard reads only PL/pgSQL blocks, so the statements it runs were not checked.` }] };
  }
  let action: unknown;
  try {
    action = (parsePlPgSQLSync(statement.text) as PlPgSqlParse).plpgsql_funcs?.[0]?.PLpgSQL_function?.action;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const placeholder = body.placeholder();
    if (placeholder) return { sql: [], notFollowed: [{ kind: 'templated', range: placeholder, message: TEMPLATED_MESSAGE }] };
    return { sql: [], notFollowed: [{ kind: 'invalid-block', range: body.rangeOfError(message), message: `PostgreSQL's PL/pgSQL parser rejects this DO block (${message}), so the statements it runs were not checked.` }] };
  }
  const reading: DoBlockReading = { sql: [], notFollowed: [] };
  let cursor = 0;
  for (const written of writtenSql(action)) {
    const start = body.find(written, cursor);
    if (start === undefined) {
      reading.notFollowed.push({ kind: 'unlocated', range: body.range, message: 'Lockguard could not find where a statement of this DO block is written, so it was not checked.' });
      continue;
    }
    cursor = start.offset + written.query.length;
    if (written.kind === 'sql') {
      reading.sql.push({ via: 'sql', text: written.query, placed: (a, b) => body.placed(start.offset + a, start.offset + b), verbatim: body.verbatim && start.exact });
      continue;
    }
    const executed = executedConstant(written.query, start.offset, body);
    if (executed) reading.sql.push(executed);
    else {
      const expression = written.query.replace(/\s+/g, ' ');
      const shown = expression.length > 60 ? `${expression.slice(0, 57)}…` : expression;
      reading.notFollowed.push({
        kind: 'dynamic-execute',
        range: body.placed(start.offset, start.offset + written.query.length),
        message: `This EXECUTE runs SQL built while the block runs (${shown}), so Lockguard cannot check the locks it takes: review what it runs.`,
      });
    }
  }
  return reading;
}

/** Go-template and Flyway-style placeholders, which the migration tool replaces before the block runs. */
const TEMPLATE_SYNTAX = /\{\{[\s\S]*?\}\}|\$\{[A-Za-z_][\w.]*\}/;

const TEMPLATED_MESSAGE = 'This DO block holds template placeholders that the migration tool fills in before it runs, so Lockguard could not read the statements it runs and did not check them.';

/** The part of libpg_query's PL/pgSQL parse this module reads; the statements are walked untyped. */
interface PlPgSqlParse {
  plpgsql_funcs?: { PLpgSQL_function?: { action?: unknown } }[];
}

/** A statement of the block that runs SQL: `sql` holds the SQL, `execute` the expression giving it. */
interface WrittenSql {
  kind: 'sql' | 'execute';
  /** As PL/pgSQL keeps it: the written text, trailing white space trimmed and an INTO clause blanked out. */
  query: string;
  /** 1-based line in the block's body. */
  line: number;
  /** Whether an INTO clause was blanked out of `query` (replaced by as many spaces). */
  blanked: boolean;
}

/** The block's SQL in the order it is written: PL/pgSQL keeps branches, loop bodies and handlers in order, but not always a statement's parts. */
function writtenSql(action: unknown): WrittenSql[] {
  const found: WrittenSql[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      const statement = value as PlPgSqlStatement;
      switch (key) {
        case 'PLpgSQL_stmt_execsql':
          add('sql', statement, statement.sqlstmt, statement.into === true);
          break;
        case 'PLpgSQL_stmt_call': // CALL, and DO inside the block
          add('sql', statement, statement.expr, false);
          break;
        case 'PLpgSQL_stmt_dynexecute':
        case 'PLpgSQL_stmt_dynfors':
          add('execute', statement, statement.query, false);
          walk(statement.body);
          break;
        case 'PLpgSQL_stmt_open':
          if (statement.dynquery) add('execute', statement, statement.dynquery, false);
          break;
        default:
          walk(value);
      }
    }
  };
  const add = (kind: WrittenSql['kind'], statement: PlPgSqlStatement, expr: PlPgSqlExpr | undefined, blanked: boolean) => {
    const query = expr?.PLpgSQL_expr?.query;
    if (query) found.push({ kind, query, line: statement.lineno ?? 1, blanked });
  };
  walk(action);
  // Stable: statements on one line keep their order.
  return found.sort((a, b) => a.line - b.line);
}

interface PlPgSqlExpr {
  PLpgSQL_expr?: { query?: string };
}

interface PlPgSqlStatement {
  lineno?: number;
  into?: boolean;
  sqlstmt?: PlPgSqlExpr;
  expr?: PlPgSqlExpr;
  query?: PlPgSqlExpr;
  dynquery?: PlPgSqlExpr;
  body?: unknown;
}

/** `EXECUTE 'one string constant'` runs that constant's value; anything else is built when the block runs. */
function executedConstant(expression: string, offset: number, body: Body): DoBlockSql | undefined {
  const tokens = lex(expression).filter((token) => !isTrivia(token));
  const only = tokens.length === 1 ? tokens[0]! : undefined;
  if (!only || (only.type !== 'string' && only.type !== 'dollar-string')) return undefined;
  const constant = readStringConstant(expression.slice(only.start, only.end), offset + only.start);
  if (!constant) return undefined;
  return { via: 'execute', text: constant.value, placed: (a, b) => body.placed(constant.at(a), constant.at(b)), verbatim: body.verbatim && constant.verbatim };
}

/** The body of a DO statement: its text as PL/pgSQL reads it, and where that is written in the document. */
interface Body {
  /** The string constant holding the body, in the document. */
  range: OffsetRange;
  /** The document range spelling `text.slice(start, end)`; the whole constant when the body could not be read exactly. */
  placed(start: number, end: number): OffsetRange;
  verbatim: boolean;
  /** Where `written` starts in the body, at or after `from` if it can; `exact` when no INTO clause was blanked out. */
  find(written: WrittenSql, from: number): { offset: number; exact: boolean } | undefined;
  /** The first template placeholder (`{{ … }}`, `${…}`) in the body. */
  placeholder(): OffsetRange | undefined;
  /** Where the parser's error points, when the message names a token found once in the body; else the whole body. */
  rangeOfError(message: string): OffsetRange;
}

function placeBody(statement: ParsedStatement, body: string): Body {
  const constant = bodyConstant(statement);
  const range = constant?.range ?? statement.range;
  const read = constant && readStringConstant(constant.raw, constant.range.start);
  // The parser's value is the truth; reading the constant again only tells where each character is written.
  const exact = read !== undefined && read.value === body ? read : undefined;
  const placed = exact ? (start: number, end: number) => ({ start: exact.at(start), end: exact.at(end) }) : () => range;
  const tokens = lex(body).filter((token) => !isTrivia(token));
  const lineStarts = [0];
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  // Only where a token starts: not inside a comment or a string that happens to hold the same body.
  const matchAt = (offset: number, written: WrittenSql): { offset: number; exact: boolean } | undefined => {
    if (offset + written.query.length > body.length) return undefined;
    let exactText = true;
    for (let i = 0; i < written.query.length; i++) {
      const c = written.query[i];
      if (c === body[offset + i]) continue;
      if (!(written.blanked && c === ' ')) return undefined;
      exactText = false;
    }
    return { offset, exact: exactText };
  };
  const findFrom = (written: WrittenSql, from: number) => {
    for (let i = firstTokenFrom(tokens, from); i < tokens.length; i++) {
      const match = matchAt(tokens[i]!.start, written);
      if (match) return match;
    }
    return undefined;
  };
  return {
    range,
    placed,
    verbatim: exact?.verbatim ?? false,
    find(written, from) {
      const lineStart = lineStarts[written.line - 1] ?? 0;
      return findFrom(written, Math.max(from, lineStart)) ?? findFrom(written, lineStart);
    },
    placeholder() {
      const found = TEMPLATE_SYNTAX.exec(body);
      return found ? placed(found.index, found.index + found[0].length) : undefined;
    },
    rangeOfError(message) {
      const near = /at or near "(.*)"/.exec(message)?.[1];
      const named = near === undefined ? [] : tokens.filter((token) => body.slice(token.start, token.end) === near);
      return named.length === 1 ? placed(named[0]!.start, named[0]!.end) : range;
    },
  };
}

/** Index of the first token that starts at or after `offset`. */
function firstTokenFrom(tokens: readonly Token[], offset: number): number {
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (tokens[mid]!.start < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The string constant of `DO [LANGUAGE name] '…' [LANGUAGE name]` that holds the body (the language may be a string too). */
function bodyConstant(statement: ParsedStatement): { raw: string; range: OffsetRange } | undefined {
  const { tokens } = statement;
  const body = tokens.find((token, i) => isStringConstant(token) && tokens[i - 1]?.value !== 'LANGUAGE');
  if (!body) return undefined;
  const from = statement.range.start;
  return { raw: statement.text.slice(body.start - from, body.end - from), range: { start: body.start, end: body.end } };
}

const isStringConstant = (token: Token) => token.type === 'string' || token.type === 'dollar-string';

/** What in a DO statement Lockguard could not check, and why (for the hover); none for other statements. */
export function uncheckedInDoBlock(statement: Statement): NotFollowed[] {
  return statement.kind === 'parsed' && statement.nodeType === 'DoStmt' ? (readDoBlock(statement)?.notFollowed ?? []) : [];
}
