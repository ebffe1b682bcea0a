import type { AlterTableCmd, ColumnDef, Constraint, Node } from '@pgsql/types';
import type { ParsedStatement } from '../../model/statement';
import type { Token } from '../../text/lexer';
import type { OffsetRange } from '../../text/positions';
import { commandsOfType, type ExistingTableAlter } from './alter-table';

/** A column an ALTER TABLE … ADD COLUMN adds, with where it is written. */
export interface AddedColumn {
  command: AlterTableCmd;
  column: ColumnDef;
  constraints: readonly Constraint[];
  /** From ADD through the end of the column's definition. */
  range: OffsetRange;
}

/** PostgreSQL 11 stores a non-volatile ADD COLUMN default once in the catalog ("fast default") instead of rewriting. */
export const FAST_DEFAULT_SINCE = 11;

const SERIAL_TYPES = /^(small|big)?serial[248]?$/;

export function addedColumns(alter: ExistingTableAlter): readonly AddedColumn[] {
  const { statement } = alter;
  // Five rules ask about each ALTER TABLE of an existing table: its own text is read once.
  if (alter.commands !== statement.alterTableCommands) return findAddedColumns(alter);
  let added = ADDED_COLUMNS.get(statement);
  if (!added) ADDED_COLUMNS.set(statement, (added = findAddedColumns(alter)));
  return added;
}

const ADDED_COLUMNS = new WeakMap<ParsedStatement, readonly AddedColumn[]>();

function findAddedColumns(alter: ExistingTableAlter): AddedColumn[] {
  return commandsOfType(alter, 'AT_AddColumn').flatMap((command) => {
    const column = command.def && 'ColumnDef' in command.def ? command.def.ColumnDef : undefined;
    if (!column || column.location === undefined) return [];
    const constraints = (column.constraints ?? []).flatMap((node) => ('Constraint' in node ? [node.Constraint] : []));
    return [{ command, column, constraints, range: columnRange(alter.statement, alter.statement.locate(column.location)) }];
  });
}

/** The column's default expression; `DEFAULT NULL` is none (it fills nothing, on every version). */
export function defaultOf(added: AddedColumn): Node | undefined {
  const expression = added.constraints.find((constraint) => constraint.contype === 'CONSTR_DEFAULT')?.raw_expr;
  if (expression && 'A_Const' in expression && expression.A_Const.isnull) return undefined;
  return expression;
}

export const isSerial = (added: AddedColumn) => SERIAL_TYPES.test(typeNameOf(added));
export const isIdentity = (added: AddedColumn) => added.constraints.some((constraint) => constraint.contype === 'CONSTR_IDENTITY');
export const generatedConstraint = (added: AddedColumn) => added.constraints.find((constraint) => constraint.contype === 'CONSTR_GENERATED');

/** The NOT NULL or PRIMARY KEY constraint of a column nothing fills for the existing rows: only an empty table takes it. */
export function requiredWithoutValue(added: AddedColumn): Constraint | undefined {
  if (defaultOf(added) || isSerial(added) || isIdentity(added) || generatedConstraint(added)) return undefined;
  return added.constraints.find((constraint) => constraint.contype === 'CONSTR_NOTNULL' || constraint.contype === 'CONSTR_PRIMARY');
}

/**
 * For a rewrite reported on one added column: when the same ALTER TABLE also adds a NOT NULL column nothing fills
 * (add-column-not-null-without-default reports it), PostgreSQL refuses the statement on a table with rows before it
 * copies anything, so the rewrite only comes once that is fixed. Empty otherwise.
 */
export function refusedBeforeTheRewrite(alter: ExistingTableAlter, rewriting: AddedColumn): string {
  const refused = addedColumns(alter).find((other) => other !== rewriting && requiredWithoutValue(other));
  if (!refused) return '';
  return ` As written, the statement fails first on any table with rows (ADD COLUMN ${refused.column.colname ?? ''} is NOT NULL without a DEFAULT), so the rewrite comes once that is fixed.`;
}

/** The column's type name as written (last part, lower case), e.g. `bigserial`. */
export function typeNameOf(added: AddedColumn): string {
  const names = added.column.typeName?.names ?? [];
  const last = names[names.length - 1];
  return last && 'String' in last ? (last.String.sval ?? '').toLowerCase() : '';
}

/** Where a constraint of the column is written: from its keyword to the next constraint or the column's end. */
export function constraintRange(statement: ParsedStatement, added: AddedColumn, constraint: Constraint): OffsetRange {
  const start = constraint.location !== undefined && constraint.location >= 0 ? statement.locate(constraint.location) : added.range.start;
  const next = added.constraints
    .flatMap((other) => (other.location !== undefined && other.location >= 0 ? [statement.locate(other.location)] : []))
    .filter((offset) => offset > start)
    .sort((a, b) => a - b)[0];
  return trimmed(statement, start, Math.min(next ?? added.range.end, added.range.end));
}

/** From the ADD before the column name through the last token before a top-level comma (or the statement's end). */
function columnRange(statement: ParsedStatement, nameStart: number): OffsetRange {
  const tokens = statement.tokens;
  let add: Token | undefined;
  for (let i = tokens.length - 1; i >= 0 && !add; i--) {
    const token = tokens[i]!;
    if (token.start < nameStart && token.type === 'word' && token.value === 'ADD') add = token;
  }
  let depth = 0;
  let end = statement.range.end;
  for (const token of tokens.filter((candidate) => candidate.start >= nameStart)) {
    if (token.value === '(') depth++;
    else if (token.value === ')') depth--;
    else if (token.value === ',' && depth === 0) break;
    end = token.end;
  }
  return { start: add?.start ?? nameStart, end };
}

/** [start, end) shrunk to the tokens inside it, so no trailing space or comment is underlined or cut. */
function trimmed(statement: ParsedStatement, start: number, end: number): OffsetRange {
  const inside = statement.tokens.filter((token) => token.start >= start && token.end <= end);
  return { start, end: inside[inside.length - 1]?.end ?? end };
}
