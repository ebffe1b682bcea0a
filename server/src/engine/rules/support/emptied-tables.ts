import type { RelationName } from '../../model/relations';
import { relationFromRangeVar, sameRelation } from '../../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { addedColumns, requiredWithoutValue } from './added-columns';
import { aboutStatement } from './recorded-questions';
import { perSegment, segmentPlace } from './transaction-segments';

/**
 * Whether an earlier statement of the same transaction emptied the table — `TRUNCATE t` or
 * `DELETE FROM t` without a WHERE clause — so that what follows in the transaction sees no rows.
 */
export function emptiedEarlierInTransaction(statement: Statement, table: RelationName, context: RuleContext): boolean {
  return emptiedEarlier(statement, context, table, 'emptied');
}

/**
 * Whether the table has no rows at this point of the transaction: emptied earlier in it, or an earlier
 * statement of it can only have succeeded on an empty table (`ADD COLUMN c … NOT NULL` with nothing to
 * fill the existing rows: PostgreSQL refuses it on a table with rows, and the transaction rolls back).
 */
export function emptyAtThisPointOfTransaction(statement: Statement, table: RelationName, context: RuleContext): boolean {
  return emptiedEarlier(statement, context, table, 'emptied or required empty');
}

type Emptying = 'emptied' | 'required empty';

/** A recorded question (./recorded-questions.ts): a finding that relies on it is taken over while the answer stays. */
const emptiedEarlier = aboutStatement(
  'emptied earlier in transaction',
  (statement: Statement, context: RuleContext, table: RelationName, counted: 'emptied' | 'emptied or required empty'): boolean => {
    const place = segmentPlace(statement, context);
    if (!place) return false;
    return emptyingsOf(place.segment, context).some(
      ({ position, emptied, how }) =>
        position >= place.from && position < place.before && (counted !== 'emptied' || how === 'emptied') && emptied.some((relation) => sameRelation(relation, table)),
    );
  },
);

/** The transaction's statements that empty tables (or require them empty), with the tables: found once per analysis and transaction. */
const emptyingsOf = perSegment((segment) =>
  segment.statements.flatMap((statement, position) => {
    const requiredEmpty = tableRequiredEmpty(statement);
    if (requiredEmpty) return [{ position, emptied: [requiredEmpty], how: 'required empty' as Emptying }];
    const emptied = emptiedBy(statement);
    return emptied.length > 0 ? [{ position, emptied, how: 'emptied' as Emptying }] : [];
  }),
);

function emptiedBy(statement: ParsedStatement): RelationName[] {
  const truncate = nodeAs(statement, 'TruncateStmt');
  if (truncate) return (truncate.relations ?? []).flatMap((node) => ('RangeVar' in node ? [relationFromRangeVar(node.RangeVar, statement.locate)] : []));
  const remove = nodeAs(statement, 'DeleteStmt');
  return remove?.relation !== undefined && remove.whereClause === undefined ? [relationFromRangeVar(remove.relation, statement.locate)] : [];
}

/** The table of an ALTER TABLE that adds a NOT NULL column nothing fills: it runs only on an empty table. */
function tableRequiredEmpty(statement: ParsedStatement): RelationName | undefined {
  const table = nodeAs(statement, 'AlterTableStmt')?.objtype === 'OBJECT_TABLE' ? statement.targets[0] : undefined;
  if (!table || !statement.alterTableCommands.some((command) => command.subtype === 'AT_AddColumn')) return undefined;
  return addedColumns({ statement, table, commands: statement.alterTableCommands }).some((added) => requiredWithoutValue(added) !== undefined) ? table : undefined;
}
