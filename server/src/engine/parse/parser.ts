import type { Node } from '@pgsql/types';
import { loadModule, parseSync } from 'libpg-query';
import { detached } from '../text/detached';
import { byteOffsetMapper, codePointToOffset } from '../text/positions';

/** One statement as PostgreSQL's own grammar (libpg_query, PostgreSQL 18) understands it. */
export interface ParsedNode {
  ast: Node;
  /** UTF-16 offsets relative to the parsed text. */
  start: number;
  end: number;
  /** Converts a libpg_query node location (UTF-8 byte offset in the parsed text) to a UTF-16 offset. */
  locate(byteLocation: number): number;
}

export type ParseOutcome =
  | { ok: true; nodes: ParsedNode[] }
  | { ok: false; message: string; /** UTF-16 offset relative to the parsed text. */ offset: number };

/**
 * Statements per cache generation. A document's statements must fit in one generation for its
 * re-analysis after an edit to parse only the edited statement; two generations bound the memory
 * the cached syntax trees hold.
 */
const GENERATION_SIZE = 10_000;

/**
 * The PostgreSQL parser, usable only once its WebAssembly module has loaded: get one with
 * `PostgresParser.load()`. Results are cached by statement text, so re-analysing a file after
 * an edit only parses the statements whose text changed.
 */
export class PostgresParser {
  // Two generations instead of a strict LRU: a hit in the old one moves the entry to the young one,
  // and when the young one is full the old one is dropped whole. Every step is O(1), where evicting
  // the oldest entry of one big Map scans past all the entries deleted before it.
  private young = new Map<string, ParseOutcome>();
  private old = new Map<string, ParseOutcome>();

  private constructor() {}

  private static loading: Promise<PostgresParser> | undefined;

  static load(): Promise<PostgresParser> {
    PostgresParser.loading ??= loadModule().then(() => new PostgresParser());
    return PostgresParser.loading;
  }

  parse(text: string): ParseOutcome {
    const young = this.young.get(text);
    if (young) return young;
    // What the cache keeps must not keep the document the text was cut from (see `detached`).
    const key = detached(text);
    const outcome = this.old.get(text) ?? parseUncached(key);
    if (this.young.size >= GENERATION_SIZE) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, outcome);
    return outcome;
  }
}

function parseUncached(text: string): ParseOutcome {
  // libpg_query reads a C string and would silently ignore everything after a NUL byte;
  // the server rejects such a query outright, so say so the way it does.
  const nul = text.indexOf('\0');
  if (nul !== -1) return { ok: false, message: 'invalid byte sequence for encoding "UTF8": 0x00 (a NUL byte; PostgreSQL rejects it in SQL text)', offset: nul };
  try {
    const result = parseSync(text);
    const locate = byteOffsetMapper(text);
    const nodes: ParsedNode[] = (result.stmts ?? []).flatMap((raw) => {
      if (!raw.stmt) return [];
      const startByte = raw.stmt_location ?? 0;
      const start = locate(startByte);
      const end = raw.stmt_len ? locate(startByte + raw.stmt_len) : text.length;
      return [{ ast: raw.stmt, start, end, locate }];
    });
    return { ok: true, nodes };
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const message = error instanceof Error ? error.message : String(error);
    const cursor = details?.cursorPosition;
    return { ok: false, message, offset: cursor !== undefined && cursor >= 0 ? codePointToOffset(text, cursor) : 0 };
  }
}
