import type { AlterTableCmd, AlterTableType, ObjectType } from '@pgsql/types';
import { blockedOperations } from '../../locks/lock-modes';
import type { RelationRef } from '../../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import type { OffsetRange } from '../../text/positions';
import type { LockImpact, RuleContext } from '../rule';
import { alterTableClause } from './alter-table-clauses';

/** An ALTER TABLE on a table the file did not create (so someone may be using it), with its subcommands. */
export interface ExistingTableAlter {
  statement: ParsedStatement;
  table: RelationRef;
  commands: readonly AlterTableCmd[];
}

/**
 * Relations whose data ALTER … can rewrite or move. Sequences (a single row), views, foreign tables
 * and composite types (ALTER TYPE … ALTER ATTRIBUTE shares the statement node) have no such data.
 */
const RELATIONS_WITH_DATA: ReadonlySet<ObjectType | undefined> = new Set(['OBJECT_TABLE', 'OBJECT_MATVIEW', 'OBJECT_INDEX']);

/**
 * The statement as an ALTER TABLE (or ALTER MATERIALIZED VIEW / INDEX) of a relation that already exists,
 * with a subcommand of one of the subtypes: other statements are turned away before the file is asked.
 */
export function alterOfExistingTable(statement: Statement, context: RuleContext, subtype: AlterTableType, ...more: AlterTableType[]): ExistingTableAlter | undefined {
  if (!RELATIONS_WITH_DATA.has(nodeAs(statement, 'AlterTableStmt')?.objtype) || statement.kind !== 'parsed') return undefined;
  if (!statement.alterTableCommands.some((command) => command.subtype === subtype || (command.subtype !== undefined && more.includes(command.subtype)))) return undefined;
  const table = statement.targets[0];
  if (!table || context.isCreatedInFile(table, statement.index)) return undefined;
  return { statement, table, commands: statement.alterTableCommands };
}

export const commandsOfType = (alter: ExistingTableAlter, ...subtypes: AlterTableType[]) =>
  alter.commands.filter((command) => command.subtype !== undefined && subtypes.includes(command.subtype));

/** The ACCESS EXCLUSIVE lock every rewriting ALTER TABLE takes, for hovers. */
export const accessExclusiveOn = (table: RelationRef): LockImpact => ({ mode: 'ACCESS EXCLUSIVE', relation: table, blocks: blockedOperations('ACCESS EXCLUSIVE') });

/** Where the subcommand is written (`SET UNLOGGED`, `ALTER COLUMN c TYPE bigint`), for the finding's range. */
export const commandRange = (alter: ExistingTableAlter, command: AlterTableCmd): OffsetRange =>
  alterTableClause(alter.statement, alter.commands.indexOf(command));
