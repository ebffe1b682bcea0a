import { readFileSync } from 'node:fs';
import { splitStatements } from '../../server/src/engine/text/splitter';
import { sqlFiles } from '../../test/helpers/sql-files';

/** Where the benchmark types: right after this index name, in a statement in the middle of the file. */
export const TYPING_ANCHOR = 'CREATE INDEX bench_typing_idx';

export interface BigMigration {
  text: string;
  lines: number;
  statements: number;
  /** 0-based line and UTF-16 column where the typing happens. */
  typingAt: { line: number; character: number };
}

/**
 * A migration of `targetLines` lines made of real statements from the corpus, in a fixed order so every
 * run measures the same text. Templated folders are left out (their files are not SQL until a tool
 * fills them in, and one peer panics on some of them), and so is the regression suite (not migrations).
 */
export function buildBigMigration(corpus: string, targetLines: number): BigMigration {
  const statements: string[] = [];
  for (const file of sqlFiles(corpus).filter((path) => !EXCLUDED_FOLDERS.some((folder) => path.includes(`/${folder}/`)))) {
    const text = readFileSync(file, 'utf8');
    for (const source of splitStatements(text)) {
      if (source.isMetaCommand) continue;
      statements.push(`${text.slice(source.start, source.end)};`);
    }
  }
  const out: string[] = [];
  let lines = 0;
  let count = 0;
  let typingLine = -1;
  for (let i = 0; lines < targetLines; i = (i + 1) % statements.length) {
    if (typingLine === -1 && lines >= targetLines / 2) {
      typingLine = lines;
      out.push(`${TYPING_ANCHOR} ON bench_orders (customer_id);`);
      lines += 1;
      count += 1;
    }
    const statement = statements[i]!;
    const statementLines = statement.split('\n').length;
    if (lines + statementLines > targetLines) break;
    out.push(statement);
    lines += statementLines;
    count += 1;
  }
  return { text: `${out.join('\n')}\n`, lines, statements: count, typingAt: { line: typingLine, character: TYPING_ANCHOR.length } };
}

const EXCLUDED_FOLDERS = ['graphile-worker', 'supabase-auth', 'postgres-regress'];
