import type { AlterTableCmd, Node, RangeVar } from '@pgsql/types';
import type { Token } from '../text/lexer';
import { relationFromRangeVar, type RelationRef } from './relations';

/*
 * What a parsed statement's model derives from its syntax tree, for every place that builds one: the
 * file's own statements and the statements a DO block runs.
 */

/** The relations a statement acts on directly, located with `locate` and extended over their written names in `tokens`. */
export function statementTargets(ast: Node, locate: (byteLocation: number) => number, tokens: readonly Token[]): RelationRef[] {
  return targetsOf(ast).map((rangeVar) => withNameRange(relationFromRangeVar(rangeVar, locate), tokens));
}

/** The relations a statement acts on directly (more node types join as rules need them). */
export function targetsOf(ast: Node): RangeVar[] {
  if ('IndexStmt' in ast) return ast.IndexStmt.relation ? [ast.IndexStmt.relation] : [];
  if ('AlterTableStmt' in ast) return ast.AlterTableStmt.relation ? [ast.AlterTableStmt.relation] : [];
  if ('CreateStmt' in ast) return ast.CreateStmt.relation ? [ast.CreateStmt.relation] : [];
  if ('CreateTableAsStmt' in ast) return ast.CreateTableAsStmt.into?.rel ? [ast.CreateTableAsStmt.into.rel] : [];
  return [];
}

export function alterTableCommandsOf(ast: Node): AlterTableCmd[] {
  if (!('AlterTableStmt' in ast)) return [];
  return (ast.AlterTableStmt.cmds ?? []).flatMap((cmd) => ('AlterTableCmd' in cmd ? [cmd.AlterTableCmd] : []));
}

/** Extends a relation's start location over the written name (`schema . "Name"`). */
export function withNameRange(relation: RelationRef, tokens: readonly Token[]): RelationRef {
  if (!relation.range) return relation;
  const first = tokens.findIndex((token) => token.start === relation.range!.start);
  if (first === -1) return relation;
  let last = first;
  while (tokens[last + 1]?.value === '.' && isName(tokens[last + 2])) last += 2;
  return { ...relation, range: { start: tokens[first]!.start, end: tokens[last]!.end } };
}

const isName = (token: Token | undefined) => token !== undefined && (token.type === 'word' || token.type === 'quoted-identifier');
