import type { ParsedStatement, Statement, TransactionContext } from '../../model/statement';
import { perFile, type RuleContext } from '../rule';

/**
 * The parsed statements of one transaction of the file (an explicit BEGIN … COMMIT block, or a
 * migration tool's implicit transaction), in file order.
 */
export interface TransactionSegment {
  readonly statements: readonly ParsedStatement[];
  /** Each statement's index in the file, ascending (to find a place by binary search). */
  readonly indexes: readonly number[];
}

/**
 * The file's transactions, found in one pass per analysis: "what did earlier statements of this
 * transaction do" is then answered from the statement's segment, not by scanning the file from its
 * BEGIN for every statement (quadratic in a file that runs in one transaction).
 */
const segmentsOf = perFile((statements: readonly Statement[]) => {
  const segments = new Map<string, { statements: ParsedStatement[]; indexes: number[] }>();
  for (const statement of statements) {
    const key = segmentKey(statement.transaction);
    if (key === undefined || statement.kind !== 'parsed') continue;
    let segment = segments.get(key);
    if (!segment) segments.set(key, (segment = { statements: [], indexes: [] }));
    segment.statements.push(statement);
    segment.indexes.push(statement.index);
  }
  return segments as ReadonlyMap<string, TransactionSegment>;
});

/** Statements share a transaction when they share its start (see `sameTransaction` in ./constraints.ts). */
function segmentKey(transaction: TransactionContext): string | undefined {
  switch (transaction.kind) {
    case 'autocommit':
      return undefined;
    case 'explicit':
      return `explicit ${transaction.begin}`;
    case 'implicit':
      return `implicit ${transaction.start}`;
  }
}

/** A statement's transaction, and how many of its parsed statements come before the statement (from the block's BEGIN on). */
export interface SegmentPlace {
  readonly segment: TransactionSegment;
  /** Position in `segment.statements` of the first statement counted as earlier. */
  readonly from: number;
  /** Position in `segment.statements` of the first statement that is not earlier. */
  readonly before: number;
}

/** Where the statement stands in its transaction; undefined in autocommit. */
export function segmentPlace(statement: Statement, context: RuleContext): SegmentPlace | undefined {
  const { transaction } = statement;
  const key = segmentKey(transaction);
  if (key === undefined) return undefined;
  const segment = segmentsOf(context.statements).get(key);
  if (!segment) return undefined;
  const start = transaction.kind === 'explicit' ? transaction.begin : transaction.kind === 'implicit' ? transaction.start : 0;
  return { segment, from: firstAtOrAfter(segment.indexes, start), before: firstAtOrAfter(segment.indexes, statement.index) };
}

/** Binary search in ascending numbers: the position of the first that is at least `value`. */
export function firstAtOrAfter(ascending: readonly number[], value: number): number {
  let low = 0;
  let high = ascending.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ascending[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * A derivation from each transaction of the file, computed once per analysis and transaction, the
 * first time a statement of the transaction asks (the file's statements list is read, so a rule that
 * uses it depends on the whole file, see ../rule.ts `perFile`).
 */
export function perSegment<T>(derive: (segment: TransactionSegment, context: RuleContext) => T): (segment: TransactionSegment, context: RuleContext) => T {
  const derived = new WeakMap<TransactionSegment, T>();
  return (segment, context) => {
    if (derived.has(segment)) return derived.get(segment) as T;
    const value = derive(segment, context);
    derived.set(segment, value);
    return value;
  };
}
