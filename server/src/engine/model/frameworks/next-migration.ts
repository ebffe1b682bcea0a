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
  const next = timestamp(new Date(date.getTime() + 1000));
  // One second after 9999-12-31 23:59:59 has no `YYYYMMDDHHMMSS` form.
  return /^\d{14}$/.test(next) ? next : undefined;
}

/** `YYYYMMDDHHMMSS` in UTC. */
export const timestamp = (date: Date) => date.toISOString().replace(/[-T:]/g, '').slice(0, 14);

/**
 * diesel's version after `version`, in the same format: `YYYY-MM-DD-HHMMSS` and diesel 2's
 * `YYYY-MM-DD-HHMMSS-NNNN` one second later (the suffix kept), `YYYYMMDDHHMMSS` one second later, a
 * counter the next number. diesel only compares versions as strings, and projects number their own
 * (lemmy's `2025-08-01-000060` is a counter, not a time): digits that are no date count up by one.
 * Undefined for any other version, so that a name Lockguard cannot derive means no fix, not an error.
 */
export function dieselVersionAfter(version: string): string | undefined {
  const dashed = /^(\d{4})-(\d{2})-(\d{2})-(\d{6})(-\d{4})?$/.exec(version);
  if (dashed) {
    const [, year, month, day, time, suffix = ''] = dashed;
    const next = versionAfter(`${year}${month}${day}${time}`);
    // 9999-99-99-999999 has no successor of the same shape.
    if (next.length !== 14) return undefined;
    return `${next.slice(0, 4)}-${next.slice(4, 6)}-${next.slice(6, 8)}-${next.slice(8)}${suffix}`;
  }
  return /^\d+$/.test(version) ? versionAfter(version) : undefined;
}

/** The first diesel version after `version` that no sibling folder (`<version>_<name>`) uses, or undefined as above. */
export function freeDieselVersionAfter(version: string, siblings: readonly string[]): string | undefined {
  let candidate = dieselVersionAfter(version);
  while (candidate !== undefined && siblings.some((name) => name.startsWith(`${candidate}_`))) candidate = dieselVersionAfter(candidate);
  return candidate;
}

/** The statement with its semicolon, and the undo (or a note that there is none) for a rollback file. */
export const statementSql = (statement: StatementToMove) => `${statement.text};\n`;
export const undoSql = (statement: StatementToMove) =>
  statement.undo ? `${statement.undo};\n` : `-- The rollback of \`${firstLine(statement.text)}\`, if it needs one.\n`;

const firstLine = (text: string) => text.split('\n')[0]!.trim();
