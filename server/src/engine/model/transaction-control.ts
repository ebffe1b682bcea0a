import { nodeAs, type Statement } from './statement';

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
