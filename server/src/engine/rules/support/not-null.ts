import type { Node } from '@pgsql/types';
import type { RelationName } from '../../model/relations';
import type { ParsedStatement } from '../../model/statement';
import type { RuleContext } from '../rule';
import { alterationsOf } from './breaking-changes';
import { addedConstraints, constraintName, quoteIdentifier, validatesExistingRows } from './constraints';

/** Earlier parsed statements of the file that alter `table`. */
const earlierOn = (context: RuleContext, beforeStatement: number, table: RelationName): ParsedStatement[] => alterationsOf(context, table, 0, beforeStatement);

/**
 * Whether an earlier statement of the file left a validated CHECK (column IS NOT NULL) on the table:
 * from PostgreSQL 12, SET NOT NULL (also the one ADD PRIMARY KEY implies) then skips its scan.
 */
export function provenNotNull(context: RuleContext, beforeStatement: number, table: RelationName, column: string): boolean {
  const earlier = earlierOn(context, beforeStatement, table);
  const checks = earlier.flatMap((s) =>
    addedConstraints(s)
      .filter(({ constraint }) => constraint.contype === 'CONSTR_CHECK' && isNotNullTest(constraint.raw_expr, column))
      .map((added) => ({ added, name: constraintName(table, added), at: s.index })),
  );
  const validatedLater = (name: string, after: number) =>
    earlier.some((s) => s.index > after && s.alterTableCommands.some((cmd) => cmd.subtype === 'AT_ValidateConstraint' && cmd.name === name));
  return checks.some(({ added, name, at }) => validatesExistingRows(added.constraint) || validatedLater(name, at));
}

/**
 * `column IS NOT NULL`, alone or AND-ed with other conditions: PostgreSQL proves NOT NULL from any
 * top-level AND term of a validated CHECK (predicate_implied_by splits the constraint at AND).
 */
function isNotNullTest(expression: Node | undefined, column: string): boolean {
  if (expression && 'BoolExpr' in expression) {
    return expression.BoolExpr.boolop === 'AND_EXPR' && (expression.BoolExpr.args ?? []).some((term) => isNotNullTest(term, column));
  }
  if (!expression || !('NullTest' in expression)) return false;
  const { arg, nulltesttype } = expression.NullTest;
  if (nulltesttype !== 'IS_NOT_NULL' || !arg || !('ColumnRef' in arg)) return false;
  const last = (arg.ColumnRef.fields ?? []).at(-1);
  return last !== undefined && 'String' in last && last.String.sval === column;
}

/**
 * Whether the file shows the column may hold NULLs at this point: an earlier statement added it
 * without NOT NULL (or dropped its NOT NULL), and nothing since made it NOT NULL. Unknown (the
 * column predates the file) counts as not nullable, so nothing is reported on a guess.
 */
export function knownNullable(context: RuleContext, beforeStatement: number, table: RelationName, column: string): boolean {
  let nullable = false;
  for (const statement of earlierOn(context, beforeStatement, table)) {
    for (const cmd of statement.alterTableCommands) {
      if (cmd.subtype === 'AT_AddColumn' && cmd.def && 'ColumnDef' in cmd.def && cmd.def.ColumnDef.colname === column) {
        const constraints = (cmd.def.ColumnDef.constraints ?? []).flatMap((node) => ('Constraint' in node ? [node.Constraint.contype] : []));
        nullable = !constraints.some((contype) => contype === 'CONSTR_NOTNULL' || contype === 'CONSTR_PRIMARY');
      } else if (cmd.name === column && (cmd.subtype === 'AT_SetNotNull' || cmd.subtype === 'AT_DropNotNull')) {
        nullable = cmd.subtype === 'AT_DropNotNull';
      }
    }
    const notNullConstraint = addedConstraints(statement).some(({ constraint }) => constraint.contype === 'CONSTR_NOTNULL' && (constraint.keys ?? []).some((key) => 'String' in key && key.String.sval === column));
    if (notNullConstraint) nullable = false;
  }
  return nullable;
}

/**
 * The statements that make `columns` NOT NULL without a long lock (PostgreSQL 12+): CHECK (col IS NOT NULL)
 * NOT VALID, VALIDATE, and, once NOT NULL is set, the DROP of the then redundant CHECK.
 */
export function notNullProof(table: RelationName, tableText: string, columns: readonly string[]): { prove: string[]; drop: string[] } {
  const names = columns.map((column) => quoteIdentifier(`${table.name}_${column}_not_null_check`));
  return {
    prove: [
      ...columns.map((column, i) => `ALTER TABLE ${tableText} ADD CONSTRAINT ${names[i]} CHECK (${quoteIdentifier(column)} IS NOT NULL) NOT VALID`),
      ...names.map((name) => `ALTER TABLE ${tableText} VALIDATE CONSTRAINT ${name}`),
    ],
    drop: names.map((name) => `ALTER TABLE ${tableText} DROP CONSTRAINT ${name}`),
  };
}
