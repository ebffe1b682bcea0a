import type { LintOptions } from '../options';
import type { PostgresParser } from '../parse/parser';
import { nonTransactionalForm } from '../knowledge/non-transactional';
import { migrationModel, type MigrationModel } from './migration';
import { assignTransactions } from './transactions';
import { detached } from '../text/detached';
import { splitFile, type SplitFile, type StatementSource } from '../text/splitter';
import { movedStatement } from './moved-statement';
import { statementsInDoBlock } from './do-block';
import { alterTableCommandsOf, statementTargets } from './statement-parts';
import type { NodeType, Statement, TransactionContext } from './statement';

/** A file's statements, and which came from which source, so that the next build can take them over. */
export interface BuiltFile {
  split: SplitFile;
  statements: Statement[];
  /** Index of the first statement of each source; one more entry at the end (the statement count). */
  firstOfSource: number[];
  /** How the migration runner executes the file. */
  migration: MigrationModel;
}

/** Splits a file and turns its sources into statements: parsed, or invalid with PostgreSQL's message, or psql meta-commands. */
export function buildStatements(text: string, parser: PostgresParser, options: LintOptions): Statement[] {
  return buildFile(splitFile(text), parser, options).statements;
}

/**
 * Builds the statements of a split file. When the split was redone from `previous.split` after an
 * edit, the statements of the sources it took over are taken over too — those above the edit as
 * they are, those below it moved — and only the sources in between are parsed and modelled.
 */
export function buildFile(split: SplitFile, parser: PostgresParser, options: LintOptions, previous?: BuiltFile): BuiltFile {
  const { text, sources, reuse } = split;
  const statements: Statement[] = [];
  const firstOfSource: number[] = [];
  const firstMoved = sources.length - reuse.moved;
  for (const [i, source] of sources.entries()) {
    firstOfSource.push(statements.length);
    if (previous && i < reuse.kept) {
      for (let k = previous.firstOfSource[i]!; k < previous.firstOfSource[i + 1]!; k++) statements.push(previous.statements[k]!);
    } else if (previous && i >= firstMoved) {
      const from = reuse.movedFrom + (i - firstMoved);
      for (let k = previous.firstOfSource[from]!; k < previous.firstOfSource[from + 1]!; k++) statements.push(movedStatement(previous.statements[k]!, statements.length, reuse.delta));
    } else {
      for (const piece of recoverMissingSemicolons(text, source, parser)) buildSource(text, piece, parser, statements);
    }
  }
  firstOfSource.push(statements.length);
  const migration = migrationModel(text, options, {
    allTransactionIncapable: () => statements.every((statement) => statement.kind !== 'parsed' || nonTransactionalForm(statement, options.pgVersion) !== undefined),
  });
  assignTransactions(statements, migration);
  return { split, statements, firstOfSource, migration };
}

/** Appends the statements of one source. */
function buildSource(text: string, source: StatementSource, parser: PostgresParser, statements: Statement[]): void {
  // Written out, not spread from shared fields: V8 builds object literals that start with a spread
  // property by property, which made this loop the engine's slowest part on large files.
  if (source.isMetaCommand) {
    statements.push({ kind: 'meta-command', index: statements.length, range: { start: source.start, end: source.end }, text: detached(text.slice(source.start, source.end)), tokens: source.tokens, terminator: source.terminator, transaction: AUTOCOMMIT, section: 'up' });
    return;
  }
  const sourceText = text.slice(source.start, source.end);
  const outcome = parser.parse(sourceText);
  if (!outcome.ok) {
    const errorOffset = source.start + outcome.offset;
    const errorToken = source.tokens.find((token) => token.end > errorOffset) ?? source.tokens[source.tokens.length - 1]!;
    statements.push({
      kind: 'invalid',
      index: statements.length,
      range: { start: source.start, end: source.end },
      text: detached(sourceText),
      tokens: source.tokens,
      terminator: source.terminator,
      transaction: AUTOCOMMIT,
      section: 'up',
      message: outcome.message,
      errorRange: { start: Math.max(errorToken.start, Math.min(errorOffset, errorToken.end - 1)), end: errorToken.end },
      templated: source.tokens.some((token) => token.type === 'placeholder') || TEMPLATE_SYNTAX.test(sourceText),
    });
    return;
  }
  for (const node of outcome.nodes) {
    const start = source.start + node.start;
    const end = source.start + node.end;
    const locate = (byteLocation: number) => source.start + node.locate(byteLocation);
    // One statement per source is the rule: its tokens are the source's.
    const tokens = outcome.nodes.length === 1 ? source.tokens : source.tokens.filter((token) => token.start >= start && token.end <= end);
    const nodeType = Object.keys(node.ast)[0] as NodeType;
    statements.push({
      kind: 'parsed',
      index: statements.length,
      range: { start, end },
      // Detached: kept from one keystroke's analysis to the next, a slice would keep that whole version of the document.
      text: detached(text.slice(start, end)),
      tokens,
      terminator: source.terminator,
      transaction: AUTOCOMMIT,
      section: 'up',
      nodeType,
      ast: node.ast,
      locate,
      targets: statementTargets(node.ast, locate, tokens),
      alterTableCommands: alterTableCommandsOf(node.ast),
    });
    // A DO block runs its statements now: they follow it in the list, to be checked like the file's own.
    if (nodeType === 'DoStmt') statements.push(...statementsInDoBlock(statements[statements.length - 1]!, parser, statements.length));
  }
}

const AUTOCOMMIT: TransactionContext = { kind: 'autocommit' };

/** Go-template and Flyway-style placeholders, also where they sit inside quotes: `"{{ .Schema }}".users`. */
const TEMPLATE_SYNTAX = /\{\{[\s\S]*?\}\}|\$\{[A-Za-z_][\w.]*\}/;

/** Words that begin a migration statement; a line starting with one is likely a new statement. */
const STATEMENT_STARTS = new Set([
  'ALTER', 'ANALYZE', 'BEGIN', 'CALL', 'CLUSTER', 'COMMENT', 'COMMIT', 'COPY', 'CREATE', 'DELETE', 'DO', 'DROP', 'END',
  'GRANT', 'INSERT', 'LOCK', 'REFRESH', 'REINDEX', 'RESET', 'REVOKE', 'ROLLBACK', 'SET', 'TRUNCATE', 'UPDATE', 'VACUUM',
]);

/**
 * While a statement is being typed, its `;` is often missing, which glues it to the next statement.
 * When a piece does not parse, split it before each line that starts with a statement keyword, and
 * keep that split only if some part then parses: the broken part keeps its one diagnostic, and the
 * statements after it are still analysed.
 */
function recoverMissingSemicolons(text: string, source: StatementSource, parser: PostgresParser): StatementSource[] {
  if (source.isMetaCommand || parser.parse(text.slice(source.start, source.end)).ok) return [source];
  const cuts = source.tokens.flatMap((token, index) => (index > 0 && token.type === 'word' && STATEMENT_STARTS.has(token.value) && startsLine(text, token.start) ? [index] : []));
  if (cuts.length === 0) return [source];
  const parts = [0, ...cuts].map((from, i, all) => source.tokens.slice(from, all[i + 1]));
  const pieces = parts.map((tokens, i): StatementSource => ({
    start: tokens[0]!.start,
    end: tokens[tokens.length - 1]!.end,
    terminator: i === parts.length - 1 ? source.terminator : undefined,
    tokens,
    isMetaCommand: false,
  }));
  return pieces.some((piece) => parser.parse(text.slice(piece.start, piece.end)).ok) ? pieces : [source];
}

function startsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '\n' || c === '\r') return true;
    if (c !== ' ' && c !== '\t') return false;
  }
  return true;
}
