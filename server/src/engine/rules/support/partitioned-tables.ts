import type { CreateStmt } from '@pgsql/types';
import { relationFromRangeVar, sameRelation, type RelationName } from '../../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { dropsTable } from './breaking-changes';

/**
 * Whether the file shows that `table` is partitioned at statement `beforeStatement`: the latest statement that
 * creates it says `PARTITION BY`, or — after its latest CREATE or DROP — a table is created `PARTITION OF` it, or a
 * partition is attached to or detached from it.
 */
export function isPartitionedInFile(context: RuleContext, table: RelationName, beforeStatement: number): boolean {
  for (let index = beforeStatement - 1; index >= 0; index--) {
    const statement = context.statements[index]!;
    if (statement.kind !== 'parsed') continue;
    const create = nodeAs(statement, 'CreateStmt');
    if (create?.relation && sameRelation(relationFromRangeVar(create.relation, statement.locate), table)) return create.partspec !== undefined;
    if (dropsTable(context, table, index, index + 1)) return false;
    if (createsPartitionOf(statement, create, table) || changesPartitionsOf(statement, table)) return true;
  }
  return false;
}

function createsPartitionOf(statement: ParsedStatement, create: CreateStmt | undefined, table: RelationName): boolean {
  if (!create?.partbound) return false;
  return (create.inhRelations ?? []).some((node) => 'RangeVar' in node && sameRelation(relationFromRangeVar(node.RangeVar, statement.locate), table));
}

function changesPartitionsOf(statement: Statement, table: RelationName): boolean {
  if (statement.kind !== 'parsed' || nodeAs(statement, 'AlterTableStmt')?.objtype !== 'OBJECT_TABLE') return false;
  const target = statement.targets[0];
  return target !== undefined && sameRelation(target, table) && statement.alterTableCommands.some((cmd) => cmd.subtype === 'AT_AttachPartition' || cmd.subtype === 'AT_DetachPartition');
}
