import type { ParsedStatement } from '../../model/statement';
import type { Token } from '../../text/lexer';
import type { OffsetRange } from '../../text/positions';

/**
 * The written range of an ALTER TABLE's `index`-th subcommand (`DROP COLUMN c`, `DISABLE TRIGGER t`):
 * the subcommands are the comma-separated clauses after the table name, in the order of
 * `alterTableCommands`. The whole statement when the text does not show them one to one.
 */
export function alterTableClause(statement: ParsedStatement, index: number): OffsetRange {
  const clauses = alterTableClauses(statement);
  return clauses.length === statement.alterTableCommands.length ? clauses[index]! : statement.range;
}

function alterTableClauses(statement: ParsedStatement): OffsetRange[] {
  const from = statement.targets[0]?.range?.end;
  if (from === undefined) return [];
  const clauses: Token[][] = [[]];
  let depth = 0;
  for (const token of statement.tokens) {
    if (token.start < from) continue;
    if (token.value === '(' || token.value === '[') depth++;
    if (token.value === ')' || token.value === ']') depth--;
    if (token.value === ',' && depth === 0) clauses.push([]);
    else clauses[clauses.length - 1]!.push(token);
  }
  return clauses.flatMap((tokens) => (tokens.length === 0 ? [] : [{ start: tokens[0]!.start, end: tokens[tokens.length - 1]!.end }]));
}

/** The end of a possibly qualified name (`schema . "Name"`) written from `start`. */
export function nameEnd(statement: ParsedStatement, start: number): number {
  const tokens = statement.tokens;
  let last = tokens.findIndex((token) => token.start === start);
  if (last === -1) return start;
  while (tokens[last + 1]?.value === '.' && tokens[last + 2] !== undefined) last += 2;
  return tokens[last]!.end;
}
