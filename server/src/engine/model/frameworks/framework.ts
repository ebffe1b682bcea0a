/**
 * How a migration framework runs a file: which parts run when the migration is applied, and how the
 * runner hands their statements to PostgreSQL. Each framework's documented semantics are summarised in
 * docs/frameworks.md, with sources; one module per framework beside this file.
 */

/**
 * A part of a migration file: applied (`up`), rolled back (`down`), a check run after deploying
 * (`verify`), or written for another database the tool also migrates (`other-database`: pop's
 * `.mysql.up.sql`, which never runs on PostgreSQL).
 */
export type SectionKind = 'up' | 'down' | 'verify' | 'other-database';

/**
 * How the runner sends a section's statements:
 * - `transaction`: inside a transaction the runner opens (a COMMIT in the file ends it early);
 * - `one-query`: as one multi-statement query, which PostgreSQL runs in one implicit transaction
 *   when it holds more than one statement (a COMMIT in it ends that one, and the next statement
 *   starts another);
 * - `none`: statement by statement, each in autocommit unless the file opens a block itself.
 */
export type Wrapping = 'transaction' | 'one-query' | 'none';

/** A section of the file: `[start, end)` in UTF-16 offsets. */
export interface Section {
  kind: SectionKind;
  start: number;
  end: number;
  wrapping: Wrapping;
}

/** Who runs the file in a transaction it does not open itself, and what the user does to get out of it. */
export interface Runner {
  /** As users know it: "goose", "Flyway", "the Supabase CLI". */
  name: string;
  /** How to run one statement outside that transaction, in this framework's own terms. */
  optOut: string;
  /**
   * Set when the runner runs every pending migration in one transaction (Drizzle's migrator, Authelia):
   * "the next migration" is then no way out of a lock this one holds.
   */
  oneTransactionForAllPending?: true;
}

/** The file as a framework's recogniser sees it. */
export interface MigrationFile {
  /** Forward slashes; may be relative or absent in in-memory use. */
  path: string;
  source: string;
  /** Reads a file relative to the migration's folder (e.g. diesel's `metadata.toml`, `../sqitch.plan`). */
  readSibling(name: string): string | undefined;
  /** The names in the migration's folder (postgres-migrations' set); empty when unknown. */
  listSiblings(): readonly string[];
  /**
   * Whether every statement of the given range may run inside a transaction block: Flyway runs a
   * script that holds only statements that cannot (CREATE INDEX CONCURRENTLY, …) outside one.
   */
  allTransactionIncapable(): boolean;
}

/** What a framework found in a file it recognises. */
export interface Recognition {
  /** What gave the framework away, for the hover: "the `-- +goose Up` annotation". */
  evidence: string;
  sections: Section[];
}

export interface Framework extends Runner {
  id: string;
  /**
   * What follows a COMMIT the file itself issues inside the runner's transaction: `autocommit` when
   * the runner sends statement by statement on a plain connection (Go's database/sql), a
   * `new-transaction` when it sends the section as one query (PostgreSQL opens an implicit
   * transaction for the rest) or its driver opens one again before the next statement (JDBC).
   */
  afterCommit: 'autocommit' | 'new-transaction';
  recognise(file: MigrationFile): Recognition | undefined;
  /**
   * A migration of its own for one statement, named and marked up by this framework's convention so
   * it runs just after this one; or why the framework has no such way out. Absent: it has none.
   */
  newMigration?(file: ExistingMigration, statement: StatementToMove): NewMigration | string;
  /**
   * Why the runner refuses the file once its text changes (graphile-migrate checks a committed migration's
   * hash before running it): fixes that edit the file are then not offered. Undefined when edits are fine.
   */
  sealed?(path: string): string | undefined;
  /**
   * The framework's way to run this migration's `section` without the transaction it opens, written
   * into the migration (a marker) or beside it (diesel's metadata.toml): for a statement that is the
   * only one of its section, which a move into a new migration would leave empty. A reason when that
   * way does not apply here; absent when the framework has none.
   */
  withoutTransaction?(file: ExistingMigration, section: Section): InPlaceOptOut | string;
}

/** What runs a migration's section outside the runner's transaction, in place. */
export interface InPlaceOptOut {
  /** Insertions into the migration: `text` at offset `at`. */
  inserts: { at: number; text: string }[];
  /** Files to create, paths relative to the migration's folder. */
  files: { path: string; text: string }[];
  /** What does it, for the fix's title: "`-- +goose NO TRANSACTION`, for the whole file". */
  how: string;
  /** What the user still has to do, e.g. Atlas's `atlas migrate hash`. */
  note?: string;
}

/** The migration a statement moves out of. */
export interface ExistingMigration {
  /** Forward slashes, as given to the linter. */
  path: string;
  source: string;
  /** The names in a folder relative to the migration's (`.` by default); empty when unknown. */
  siblings(folder?: string): readonly string[];
}

/** A statement that needs a migration of its own. */
export interface StatementToMove {
  /** Its SQL, without the terminating semicolon. */
  text: string;
  /** Its offset in the file (Liquibase puts it in a changeset after the one holding it). */
  at: number;
  /** A few words for the file name, e.g. `create_index_orders_customer_idx`. */
  name: string;
  /** It cannot run in a transaction block (CONCURRENTLY); otherwise it only has to run after this migration commits. */
  outsideTransaction: boolean;
  /** The statement that undoes it, for frameworks with rollback files; absent when unknown. */
  undo?: string;
}

/** What the framework's new migration takes: files to create, or (Liquibase) a changeset inserted into this file. */
export interface NewMigration {
  /** Paths relative to the migration's folder. */
  files: { path: string; text: string }[];
  insert?: { at: number; text: string };
  /** What the user still has to do, e.g. Atlas's `atlas migrate hash`. */
  note?: string;
}

/**
 * The marker line that opens `section` (dbmate's `-- migrate:up`, sql-migrate's `-- +migrate Up`,
 * Liquibase's `--changeset`), to add an option to: its text, and where it ends before its line
 * break; undefined when no line of the section matches `pattern` (anchored, `m` flag).
 */
export function markerLine(source: string, section: Section, pattern: RegExp): { text: string; end: number } | undefined {
  const marker = markers(source, pattern).find((found) => found.start >= section.start && found.start < section.end);
  if (!marker) return undefined;
  const newline = source.indexOf('\n', marker.start);
  const lineEnd = newline === -1 ? source.length : newline;
  const end = source[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
  return { text: source.slice(marker.start, end), end };
}

/** The file's base name. */
export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** The whole file as one section. */
export const wholeFile = (source: string, kind: SectionKind, wrapping: Wrapping): Section[] => [{ kind, start: 0, end: source.length, wrapping }];

/** A marker comment found on its own line, with the text after it on that line. */
export interface Marker {
  /** Offset of the line's start. */
  start: number;
  /** Offset just past the line (its newline included). */
  end: number;
  /** The marker's name as matched (e.g. `Up`, `Down`, `StatementBegin`), and what follows it on the line. */
  name: string;
  rest: string;
}

/** Every line matching `pattern` (anchored with `^…$` under the `m` flag; group 1 = name, group 2 = rest). */
export function markers(source: string, pattern: RegExp): Marker[] {
  const found: Marker[] = [];
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g');
  for (const match of source.matchAll(global)) {
    const start = match.index;
    const newline = source.indexOf('\n', start + match[0].length);
    found.push({ start, end: newline === -1 ? source.length : newline + 1, name: match[1] ?? '', rest: (match[2] ?? '').trim() });
  }
  return found;
}

/**
 * Sections between markers: each marker opens a section that runs to the next marker. Text before
 * the first marker (a header comment, as a rule) joins the first section.
 */
export function sectionsBetween(source: string, opening: readonly { at: Marker; kind: SectionKind; wrapping: Wrapping }[]): Section[] {
  return opening.map(({ at, kind, wrapping }, i) => ({ kind, wrapping, start: i === 0 ? 0 : at.start, end: opening[i + 1]?.at.start ?? source.length }));
}

/**
 * Statements the runner sends as one query (goose's and sql-migrate's `StatementBegin` …
 * `StatementEnd` blocks): in a section that runs statement by statement, such a block of several
 * statements is one multi-statement query, so PostgreSQL runs it in one implicit transaction.
 */
export function withStatementBlocks(sections: readonly Section[], blocks: readonly Marker[]): Section[] {
  const result: Section[] = [];
  for (const section of sections) {
    if (section.wrapping !== 'none') {
      result.push(section);
      continue;
    }
    let at = section.start;
    for (let i = 0; i + 1 < blocks.length; i++) {
      const begin = blocks[i]!;
      const end = blocks[i + 1]!;
      if (!/begin/i.test(begin.name) || !/end/i.test(end.name) || begin.start < section.start || end.end > section.end) continue;
      if (begin.start > at) result.push({ ...section, start: at, end: begin.start });
      result.push({ ...section, start: begin.start, end: end.end, wrapping: 'one-query' });
      at = end.end;
      i++;
    }
    if (at < section.end) result.push({ ...section, start: at });
  }
  return result;
}
