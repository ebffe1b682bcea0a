import type { Node } from '@pgsql/types';
import { loadModule, parseSync } from 'libpg-query';
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

const CACHE_LIMIT = 50_000;

/**
 * The PostgreSQL parser, usable only once its WebAssembly module has loaded: get one with
 * `PostgresParser.load()`. Results are cached by statement text, so re-analysing a file after
 * an edit only parses the statements whose text changed.
 */
export class PostgresParser {
  private readonly cache = new Map<string, ParseOutcome>();

  private constructor() {}

  private static loading: Promise<PostgresParser> | undefined;

  static load(): Promise<PostgresParser> {
    PostgresParser.loading ??= loadModule().then(() => new PostgresParser());
    return PostgresParser.loading;
  }

  parse(text: string): ParseOutcome {
    const cached = this.cache.get(text);
    if (cached) {
      // Refresh recency: Map iteration order is insertion order, the oldest entry is evicted first.
      this.cache.delete(text);
      this.cache.set(text, cached);
      return cached;
    }
    const outcome = parseUncached(text);
    this.cache.set(text, outcome);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
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
