import type { RelationName } from '../../model/relations';
import { relationFromRangeVar, sameRelation } from '../../model/relations';
import { nodeAs, type Statement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { earlierInSameTransaction } from './constraints';

/**
 * Whether an earlier statement of the same transaction emptied the table — `TRUNCATE t` or
 * `DELETE FROM t` without a WHERE clause — so that what follows in the transaction sees no rows.
 */
export function emptiedEarlierInTransaction(statement: Statement, table: RelationName, context: RuleContext): boolean {
  return earlierInSameTransaction(statement, context).some((earlier) => {
    const truncate = nodeAs(earlier, 'TruncateStmt');
    if (truncate) return (truncate.relations ?? []).some((node) => 'RangeVar' in node && sameRelation(relationFromRangeVar(node.RangeVar, earlier.locate), table));
    const remove = nodeAs(earlier, 'DeleteStmt');
    return remove?.relation !== undefined && remove.whereClause === undefined && sameRelation(relationFromRangeVar(remove.relation, earlier.locate), table);
  });
}
