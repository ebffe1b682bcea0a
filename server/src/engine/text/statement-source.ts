import type { Token } from './lexer';

/** One statement's source, as psql would send it to the server. */
export interface StatementSource {
  /** UTF-16 offset of the first significant token. */
  start: number;
  /** UTF-16 offset just past the last significant token (the terminating `;` excluded). */
  end: number;
  /** Offset of the terminating `;`, when there is one. */
  terminator: number | undefined;
  /** Significant tokens (comments left out), document offsets. */
  tokens: Token[];
  /** A psql meta-command line such as `\set` or `\i`: not SQL, never parsed. */
  isMetaCommand: boolean;
}
