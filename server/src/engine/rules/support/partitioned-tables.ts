import type { CreateStmt } from '@pgsql/types';
import { relationFromRangeVar, sameRelation, type RelationName } from '../../model/relations';
import { nodeAs, type Statement } from '../../model/statement';
import { perFile, type RuleContext } from '../rule';
import { namesOf } from './constraints';

/** What one statement shows about a table being partitioned. */
export type PartitioningEvent =
  | { kind: 'created'; relation: RelationName; statementIndex: number; create: CreateStmt }
  | { kind: 'dropped'; relation: RelationName; statementIndex: number }
  /** A partition was created `PARTITION OF` it, attached to it or detached from it: it is partitioned. */
  | { kind: 'partition-of' | 'attached' | 'detached'; relation: RelationName; statementIndex: number };

/**
 * Whether the file shows that `table` is partitioned at statement `beforeStatement`: the latest statement that
 * creates it says `PARTITION BY`, or — after its latest CREATE or DROP — a table is created `PARTITION OF` it, or a
 * partition is attached to or detached from it.
 */
export function isPartitionedInFile(context: RuleContext, table: RelationName, beforeStatement: number): boolean {
  const latest = latestPartitioningEvent(context, table, beforeStatement);
  if (!latest) return false;
  if (latest.kind === 'created') return latest.create.partspec !== undefined;
  return latest.kind !== 'dropped';
}

/** The CREATE TABLE of `table` the file last ran before `beforeStatement`, unless a DROP TABLE of it followed. */
export function latestCreateInFile(context: RuleContext, table: RelationName, beforeStatement: number): CreateStmt | undefined {
  for (const event of eventsBefore(context, table, beforeStatement)) {
    if (event.kind === 'created') return event.create;
    if (event.kind === 'dropped') return undefined;
  }
  return undefined;
}

/** Whether a statement before `beforeStatement` creates a partition of `table` or attaches one to it. */
export function givesPartitionInFile(context: RuleContext, table: RelationName, beforeStatement: number): boolean {
  for (const event of eventsBefore(context, table, beforeStatement)) if (event.kind === 'partition-of' || event.kind === 'attached') return true;
  return false;
}

/** The latest event on the table before the statement that decides whether it is partitioned (a CREATE, DROP or partition change). */
function latestPartitioningEvent(context: RuleContext, table: RelationName, beforeStatement: number): PartitioningEvent | undefined {
  for (const event of eventsBefore(context, table, beforeStatement)) return event;
  return undefined;
}

/** The events on `table` of statements before `beforeStatement`, latest first (within a statement: CREATE, then DROP, then partitions). */
function* eventsBefore(context: RuleContext, table: RelationName, beforeStatement: number): Iterable<PartitioningEvent> {
  const named = partitioningEvents(context.statements).get(table.name);
  if (!named) return;
  // Statements run in order: the last event before the statement is found by a binary search.
  let low = 0;
  let high = named.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (named[middle]!.statementIndex < beforeStatement) low = middle + 1;
    else high = middle;
  }
  for (let i = low - 1; i >= 0; i--) {
    const event = named[i]!;
    if (sameRelation(event.relation, table)) yield event;
  }
}

/**
 * The file's partitioning events by table name, in statement order — within one statement in the order
 * they decide (CREATE before DROP before partition changes) reversed, so that walking back meets the
 * deciding one first. Built once per analysis: asking about a table then reads only that table's events.
 */
const partitioningEvents = perFile((statements: readonly Statement[]) => {
  const byName = new Map<string, PartitioningEvent[]>();
  for (const statement of statements) {
    // Pushed least decisive first, since the walk back meets the last one first.
    for (const event of eventsOf(statement).reverse()) {
      const named = byName.get(event.relation.name);
      if (named) named.push(event);
      else byName.set(event.relation.name, [event]);
    }
  }
  return byName;
});

/** What one statement shows, most decisive first. */
function eventsOf(statement: Statement): PartitioningEvent[] {
  if (statement.kind !== 'parsed') return [];
  const statementIndex = statement.index;
  const events: PartitioningEvent[] = [];
  const create = nodeAs(statement, 'CreateStmt');
  if (create?.relation) events.push({ kind: 'created', relation: relationFromRangeVar(create.relation, statement.locate), statementIndex, create });
  const drop = nodeAs(statement, 'DropStmt');
  if (drop?.removeType === 'OBJECT_TABLE') {
    for (const object of drop.objects ?? []) {
      const names = namesOf('List' in object ? object.List.items : undefined);
      const name = names.pop();
      if (name !== undefined) events.push({ kind: 'dropped', relation: { schema: names.pop(), name }, statementIndex });
    }
  }
  if (create?.partbound) {
    for (const node of create.inhRelations ?? []) if ('RangeVar' in node) events.push({ kind: 'partition-of', relation: relationFromRangeVar(node.RangeVar, statement.locate), statementIndex });
  }
  const target = statement.targets[0];
  if (target && nodeAs(statement, 'AlterTableStmt')?.objtype === 'OBJECT_TABLE') {
    for (const cmd of statement.alterTableCommands) {
      if (cmd.subtype === 'AT_AttachPartition') events.push({ kind: 'attached', relation: target, statementIndex });
      if (cmd.subtype === 'AT_DetachPartition') events.push({ kind: 'detached', relation: target, statementIndex });
    }
  }
  return events;
}
