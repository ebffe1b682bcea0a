import type { RelationName } from '../../model/relations';
import { relationFromRangeVar, sameRelation } from '../../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { aboutStatement } from './recorded-questions';
import { perSegment, segmentPlace } from './transaction-segments';

/**
 * Whether an earlier statement of the same transaction emptied the table — `TRUNCATE t` or
 * `DELETE FROM t` without a WHERE clause — so that what follows in the transaction sees no rows.
 */
export function emptiedEarlierInTransaction(statement: Statement, table: RelationName, context: RuleContext): boolean {
  return emptiedEarlier(statement, context, table);
}

/** A recorded question (./recorded-questions.ts): a finding that relies on it is taken over while the answer stays. */
const emptiedEarlier = aboutStatement('emptied earlier in transaction', (statement: Statement, context: RuleContext, table: RelationName): boolean => {
  const place = segmentPlace(statement, context);
  if (!place) return false;
  return emptyingsOf(place.segment, context).some(({ position, emptied }) => position >= place.from && position < place.before && emptied.some((relation) => sameRelation(relation, table)));
});

/** The transaction's statements that empty tables, with the tables: found once per analysis and transaction. */
const emptyingsOf = perSegment((segment) =>
  segment.statements.flatMap((statement, position) => {
    const emptied = emptiedBy(statement);
    return emptied.length > 0 ? [{ position, emptied }] : [];
  }),
);

function emptiedBy(statement: ParsedStatement): RelationName[] {
  const truncate = nodeAs(statement, 'TruncateStmt');
  if (truncate) return (truncate.relations ?? []).flatMap((node) => ('RangeVar' in node ? [relationFromRangeVar(node.RangeVar, statement.locate)] : []));
  const remove = nodeAs(statement, 'DeleteStmt');
  return remove?.relation !== undefined && remove.whereClause === undefined ? [relationFromRangeVar(remove.relation, statement.locate)] : [];
}
