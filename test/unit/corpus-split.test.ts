/**
 * The splitter against PostgreSQL's own grammar, over the shared corpus of real migrations and the
 * PostgreSQL regression suite (../shared/corpus from the project root; never copied in).
 *
 * For every file libpg_query parses whole, splitStatements must find exactly the statements the
 * parser found, with the same [start, end) in UTF-16 offsets. The parser's statement runs from just
 * after the previous `;` (leading comments and blanks included) to just before its own `;`; ours
 * runs from the first to the last significant token. So each parser statement is trimmed to the
 * first and last non-comment token PostgreSQL's own scanner (libpg_query's scanSync) finds in it.
 *
 * What "the same statements" means: libpg_query reports nothing for empty pieces (`;;`, a file of
 * comments or blanks) and the splitter yields nothing for them either, so the lists are compared as
 * they are, one to one. A file of zero bytes is the one text libpg_query refuses ("Query cannot be
 * empty"); it counts as parsed whole, with no statements.
 *
 * Every other file (templated SQL, psql scripts, newer syntax, deliberate errors) is not valid for the
 * parser, so there is nothing to compare it with; the splitter must still finish on it without
 * throwing and cover it with statements in order.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { afterAll, describe, expect, it } from 'vitest';
import { sqlFiles } from '../helpers/sql-files';
import { splitStatements, type StatementSource } from '../../server/src/engine/text/splitter';
import { byteOffsetMapper } from '../../server/src/engine/text/positions';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = resolve(projectRoot, '..', 'shared', 'corpus');
const corpusPresent = existsSync(corpus);
if (corpusPresent) await loadModule();
else console.warn(`corpus-split: ${corpus} is absent, the corpus suite is skipped.`);

interface Range {
  start: number;
  end: number;
}


/** The parser's statements, trimmed to their first and last non-comment token; undefined if the file does not parse. */
function parserStatements(text: string): Range[] | undefined {
  if (text.length === 0) return [];
  let stmts;
  try {
    stmts = parseSync(text).stmts ?? [];
  } catch {
    return undefined;
  }
  const toUtf16 = byteOffsetMapper(text);
  const totalBytes = Buffer.byteLength(text);
  const significant = scanSync(text).tokens.filter((token) => token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT');
  return stmts.map((stmt) => {
    const from = stmt.stmt_location ?? 0;
    const to = stmt.stmt_len ? from + stmt.stmt_len : totalBytes; // stmt_len 0: up to the end of the text
    const inside = significant.filter((token) => token.start >= from && token.end <= to);
    return { start: toUtf16(inside[0]!.start), end: toUtf16(inside[inside.length - 1]!.end) };
  });
}

const excerpt = (text: string, range: Range | undefined) =>
  range === undefined ? 'nothing' : `[${range.start}, ${range.end}) ${JSON.stringify(text.slice(range.start, range.end).slice(0, 160))}`;

/** The first difference between our statements and the parser's, described; undefined when they agree. */
function firstMismatch(text: string, ours: readonly StatementSource[], expected: readonly Range[]): string | undefined {
  for (let i = 0; i < Math.max(ours.length, expected.length); i++) {
    const a = ours[i];
    const b = expected[i];
    if (a && b && a.start === b.start && a.end === b.end && !a.isMetaCommand) continue;
    return `${ours.length} statements split, ${expected.length} parsed; first difference at #${i}: split ${excerpt(text, a)}, parsed ${excerpt(text, b)}`;
  }
  return undefined;
}

/** Invariants that hold for any input: non-empty statements in order, inside the text, tokens inside their statement. */
function shapeProblem(text: string, sources: readonly StatementSource[]): string | undefined {
  let previousEnd = 0;
  for (const [i, source] of sources.entries()) {
    const first = source.tokens[0];
    const last = source.tokens[source.tokens.length - 1];
    if (!first || !last || first.start !== source.start || last.end !== source.end) return `#${i}: range does not match its tokens`;
    if (source.start < previousEnd || source.end > text.length || source.start >= source.end) return `#${i}: out of order or empty`;
    if (source.terminator !== undefined && (source.terminator < source.end || text[source.terminator] !== ';')) return `#${i}: bad terminator`;
    previousEnd = source.terminator === undefined ? source.end : source.terminator + 1;
  }
  return undefined;
}

const totals = { files: 0, wholeParsed: 0, statementsCompared: 0, mismatchedFiles: 0, splitMs: 0 };

describe.skipIf(!corpusPresent)('splitter on the shared corpus', () => {
  const folders = corpusPresent ? readdirSync(corpus).filter((name) => statSync(join(corpus, name)).isDirectory()).sort() : [];

  it.each(folders)('%s: matches the parser statement for statement and never fails', (folder) => {
    for (const file of sqlFiles(join(corpus, folder))) {
      const path = relative(corpus, file);
      const text = readFileSync(file, 'utf8');
      totals.files++;

      const started = performance.now();
      let sources: StatementSource[];
      try {
        sources = splitStatements(text);
      } catch (error) {
        expect.soft(`splitStatements threw ${String(error)}`, path).toBeUndefined();
        continue;
      }
      totals.splitMs += performance.now() - started;
      expect.soft(shapeProblem(text, sources), path).toBeUndefined();

      const expected = parserStatements(text);
      if (expected === undefined) continue;
      totals.wholeParsed++;
      totals.statementsCompared += expected.length;
      const mismatch = firstMismatch(text, sources, expected);
      if (mismatch !== undefined) totals.mismatchedFiles++;
      expect.soft(mismatch, path).toBeUndefined();
    }
  });

  it('compared a meaningful share of the corpus', () => {
    // Guards against a silently empty comparison (a moved corpus, a parser that fails to load).
    expect(totals.wholeParsed).toBeGreaterThan(3000);
    expect(totals.statementsCompared).toBeGreaterThan(30_000);
  });

  afterAll(() => {
    console.log(
      `corpus-split: ${totals.files} files split in ${Math.round(totals.splitMs)} ms; ` +
        `${totals.wholeParsed} parsed whole, ${totals.statementsCompared} statements compared, ` +
        `${totals.mismatchedFiles} files differing`,
    );
  });
});
