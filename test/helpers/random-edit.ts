import type { Random } from './random';

/** What random edits look like: the text an insertion puts in, and how often each kind of edit comes. */
export interface EditShape {
  insertions: readonly string[];
  /** A draw below this inserts one of `insertions`. */
  insertBelow: number;
  /** Else, below this, deletes 1 to 3 characters; else cuts up to `longestCut` (possibly across statements). */
  shortDeletionBelow: number;
  longestCut: number;
}

/** One random edit at a random place: an insertion, a short deletion or a longer cut. */
export function randomEdit(text: string, random: Random, shape: EditShape): string {
  const at = random.int(text.length + 1);
  const choice = random.next();
  if (choice < shape.insertBelow) return text.slice(0, at) + random.pick(shape.insertions) + text.slice(at);
  if (choice < shape.shortDeletionBelow) return text.slice(0, at) + text.slice(at + 1 + random.int(3));
  return text.slice(0, at) + text.slice(at + random.int(shape.longestCut));
}
