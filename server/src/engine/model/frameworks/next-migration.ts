import type { StatementToMove } from './framework';

/**
 * Naming the migration that runs just after an existing one, by the conventions frameworks share: a
 * version prefix that is a timestamp (one second later) or a counter (the next number, zero padding
 * kept), skipping versions a sibling already uses.
 */

/** The version after `version`: one second later for a `YYYYMMDDHHMMSS` timestamp, else the next integer. */
export function versionAfter(version: string): string {
  return secondAfter(version) ?? (BigInt(version) + 1n).toString().padStart(version.length, '0');
}

/** The first version after `version` that `isTaken` does not claim. */
export function freeVersionAfter(version: string, isTaken: (candidate: string) => boolean): string {
  let candidate = versionAfter(version);
  while (isTaken(candidate)) candidate = versionAfter(candidate);
  return candidate;
}

/** Whether a sibling's name starts with the version followed by a separator (`20240101120000_…`). */
export const versionTaken = (siblings: readonly string[]) => (version: string) => {
  const prefix = new RegExp(`^0*${version.replace(/^0+(?=\d)/, '')}[_.-]`);
  return siblings.some((name) => prefix.test(name));
};

/** `YYYYMMDDHHMMSS` plus one second, or undefined when `stamp` is not a valid timestamp of that shape. */
function secondAfter(stamp: string): string | undefined {
  const parts = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(stamp)?.slice(1).map(Number);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // A counter that happens to have 14 digits is not a date: month 13 or day 32 do not round-trip.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return timestamp(new Date(date.getTime() + 1000));
}

/** `YYYYMMDDHHMMSS` in UTC. */
export const timestamp = (date: Date) => date.toISOString().replace(/[-T:]/g, '').slice(0, 14);

/** diesel's `YYYY-MM-DD-HHMMSS` plus one second; a plain counter goes up by one. */
export function dieselVersionAfter(version: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})-(\d{6})$/.exec(version);
  if (!match) return versionAfter(version);
  const next = versionAfter(`${match[1]}${match[2]}${match[3]}${match[4]}`);
  return `${next.slice(0, 4)}-${next.slice(4, 6)}-${next.slice(6, 8)}-${next.slice(8)}`;
}

/** The statement with its semicolon, and the undo (or a note that there is none) for a rollback file. */
export const statementSql = (statement: StatementToMove) => `${statement.text};\n`;
export const undoSql = (statement: StatementToMove) =>
  statement.undo ? `${statement.undo};\n` : `-- The rollback of \`${firstLine(statement.text)}\`, if it needs one.\n`;

const firstLine = (text: string) => text.split('\n')[0]!.trim();
