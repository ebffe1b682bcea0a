import type { AlterTableType } from '@pgsql/types';
import type { RelationName } from '../../model/relations';
import type { Statement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { alterOfExistingTable, type ExistingTableAlter } from './alter-table';
import { emptyAtThisPointOfTransaction } from './emptied-tables';
import { holdsFewRowsAtMost } from './row-limits';

/**
 * Whether work that grows with the table's rows (a rewrite, a scan, an index build) costs nothing before the
 * statement: the file created the table (no rows yet), the transaction has it empty (./emptied-tables.ts), or
 * its keys hold it to a few rows.
 */
export function holdsFewRowsOrNone(context: RuleContext, table: RelationName, beforeStatement: number): boolean {
  if (context.isCreatedInFile(table, beforeStatement)) return true;
  const statement = context.statements[beforeStatement];
  if (statement && emptyAtThisPointOfTransaction(statement, table, context)) return true;
  const state = context.schema.before(beforeStatement).table(table);
  return state !== undefined && holdsFewRowsAtMost(state);
}

/**
 * `alterOfExistingTable`, for rules about work that grows with the table (a rewrite, a scan): a table that holds
 * a few rows or none (`holdsFewRowsOrNone`) costs nothing to copy or scan.
 */
export function alterOfTableThatMayBeLarge(statement: Statement, context: RuleContext, subtype: AlterTableType, ...more: AlterTableType[]): ExistingTableAlter | undefined {
  const alter = alterOfExistingTable(statement, context, subtype, ...more);
  return alter && holdsFewRowsOrNone(context, alter.table, statement.index) ? undefined : alter;
}

/** The exemption `alterOfTableThatMayBeLarge` makes, for the rules' documentation. */
export const FEW_ROWS_EXEMPTION =
  'So are tables whose key a CHECK pins to a few values, such as a settings table `(ok boolean PRIMARY KEY CHECK (ok))`: ' +
  'copying a few rows costs nothing.';

