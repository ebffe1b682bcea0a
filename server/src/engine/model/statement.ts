import type { AlterTableCmd, Node } from '@pgsql/types';
import type { Token } from '../text/lexer';
import type { OffsetRange } from '../text/positions';
import type { Runner, SectionKind } from './frameworks/framework';
import type { RelationRef } from './relations';

/** The name of a libpg_query node type, e.g. `IndexStmt`. */
export type NodeType = Node extends infer N ? (N extends Record<infer K, unknown> ? K & string : never) : never;
/** The payload of a node type, e.g. `NodeOf<'IndexStmt'>` is `IndexStmt`. */
export type NodeOf<K extends NodeType> = Extract<Node, { [P in K]: unknown }> extends { [P in K]: infer V } ? V : never;

/**
 * Where a statement runs, as the migration runner executes the file: in autocommit; inside an
 * explicit `BEGIN … COMMIT` block of this file (`end` is undefined when the file never closes the
 * block); or inside a transaction the file does not open — the runner's own, or PostgreSQL's implicit
 * one around a multi-statement query — from statement `start` to the COMMIT at `end` (undefined: to
 * the end of its section). Indexes are statement indexes.
 */
export type TransactionContext =
  | { kind: 'autocommit' }
  | { kind: 'explicit'; begin: number; end: number | undefined }
  | { kind: 'implicit'; tool: Runner; start: number; end: number | undefined };

interface StatementCommon {
  /** Position in the file's statement list. */
  index: number;
  /** From the first to the last significant character; comments and the `;` excluded. */
  range: OffsetRange;
  text: string;
  /** Significant tokens with document offsets. */
  tokens: readonly Token[];
  /** Offset of the terminating `;`, if the statement has one. */
  terminator: number | undefined;
  transaction: TransactionContext;
  /** Which part of the migration the statement belongs to: only `up` runs when the migration is applied. */
  section: SectionKind;
}

/** How a statement run by a DO block is written in it. */
export interface DoBlockRun {
  /** `sql`: written as a statement of the block; `execute`: the string constant of an `EXECUTE '…'`. */
  via: 'sql' | 'execute';
  /**
   * Whether the document spells the statement's text exactly. When it does not (doubled quotes,
   * E'' escapes, a SELECT's INTO clause), offsets into `text` do not map onto the document.
   */
  verbatim: boolean;
}

export interface ParsedStatement extends StatementCommon {
  kind: 'parsed';
  /** Set on a statement a DO block runs (it follows the DO statement in the file's list): how it is written there. */
  runBy?: DoBlockRun;
  nodeType: NodeType;
  ast: Node;
  /** Converts a node's `location` (UTF-8 byte offset in the statement) to a document offset. */
  locate(byteLocation: number): number;
  /** The relations the statement acts on (the indexed table, the altered table, …). */
  targets: RelationRef[];
  /** ALTER TABLE's subcommands in order (empty for other statements); the lock is the strictest any of them needs. */
  alterTableCommands: AlterTableCmd[];
}

export interface InvalidStatement extends StatementCommon {
  kind: 'invalid';
  /** PostgreSQL's own message, e.g. `syntax error at or near "INDX"`. */
  message: string;
  /** The token the parser stopped at. */
  errorRange: OffsetRange;
  /** True when the text holds template placeholders ({{ … }}, ${…}, :var) that only a migration tool can fill in. */
  templated: boolean;
}

export interface MetaCommandStatement extends StatementCommon {
  kind: 'meta-command';
}

export type Statement = ParsedStatement | InvalidStatement | MetaCommandStatement;

/** The statement's node payload when it is of type `type`. */
/** Whether the statement runs inside a transaction block, explicit or opened by the migration tool. */
export const inTransaction = (statement: Statement) => statement.transaction.kind !== 'autocommit';

export function nodeAs<K extends NodeType>(statement: Statement, type: K): NodeOf<K> | undefined {
  if (statement.kind !== 'parsed' || statement.nodeType !== type) return undefined;
  return (statement.ast as Record<string, unknown>)[type] as NodeOf<K> | undefined;
}
