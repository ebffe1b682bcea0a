import { implicitTransaction, type MigrationTool } from '../../model/migration-tools';
import { nodeAs, type Statement } from '../../model/statement';
import { perFile, type RuleContext } from '../rule';

/** What a statement does to the session's transaction block: opens one (BEGIN, START TRANSACTION) or ends it. */
export type TransactionControl = 'open' | 'close';

export function transactionControlOf(statement: Statement): TransactionControl | undefined {
  const transaction = nodeAs(statement, 'TransactionStmt');
  switch (transaction?.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'open';
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_ROLLBACK':
      // COMMIT AND CHAIN starts the next transaction at once: the block stays open.
      return transaction.chain ? undefined : 'close';
    case 'TRANS_STMT_PREPARE':
      return 'close';
    default:
      return undefined;
  }
}

/** The BEGIN whose block is still open before statement `index`: PostgreSQL ignores a BEGIN inside a block, so the outer one counts. */
export function openBlockBefore(statements: readonly Statement[], index: number): Statement | undefined {
  return transactionBlocks(statements).openBefore[Math.min(index, statements.length)];
}

/** Whether a statement after statement `index` ends a transaction block (COMMIT, ROLLBACK, PREPARE TRANSACTION). */
export function closesAfter(statements: readonly Statement[], index: number): boolean {
  return transactionBlocks(statements).lastClose > index;
}

/** The file's blocks in one pass, however many of its BEGINs and COMMITs ask. */
const transactionBlocks = perFile((statements: readonly Statement[]) => {
  const openBefore: (Statement | undefined)[] = [];
  let open: Statement | undefined;
  let lastClose = -1;
  for (const statement of statements) {
    openBefore.push(open);
    const control = transactionControlOf(statement);
    if (control === 'open') open ??= statement;
    else if (control === 'close') {
      open = undefined;
      lastClose = openBefore.length - 1;
    }
  }
  openBefore.push(open);
  return { openBefore, lastClose };
});

/**
 * Tools that send the whole file as one multi-statement query: PostgreSQL's implicit transaction around it gives way
 * to the file's own BEGIN … COMMIT, so a block in the file is how such migrations are meant to be written.
 */
const ONE_QUERY_TOOLS = new Set(['Prisma', 'golang-migrate']);

/** The migration tool that runs the file inside a transaction of its own, into which the file's BEGIN would nest. */
export function wrappingTool(context: RuleContext): MigrationTool | undefined {
  const tool = fileTool(context);
  return tool && !ONE_QUERY_TOOLS.has(tool.name) ? tool : undefined;
}

/** The tool that wraps the file in a transaction, if any: recognised once per file, not for every statement that asks. */
export const fileTool = perFile((context: RuleContext) => implicitTransaction(context.source, context.options, context.statements));

