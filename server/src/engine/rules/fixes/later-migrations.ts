import { createdFilePath, normalisePath } from '../../fixes/apply';
import { appliedText, earlierMigrations, type MigrationSetFiles } from '../../model/migration-set';
import type { LintOptions } from '../../options';
import { lex, type Token } from '../../text/lexer';

/** A migration of the set, as a path relative to the linted migration's folder, and its tokens (those of its applied part). */
export interface SetMigration {
  path: string;
  /** Undefined when the file cannot be read. */
  tokens: readonly Token[] | undefined;
}

/**
 * The migrations of the set that run after this one and before a new migration at `newPath`
 * (relative to this one's folder), in the set's order (model/migration-set.ts): those a statement
 * moved there would now run after. Empty when the folder cannot be listed.
 */
export function migrationsBetween(options: Pick<LintOptions, 'filePath' | 'readSibling' | 'listSiblings'>, newPath: string): SetMigration[] {
  const { filePath, readSibling, listSiblings } = options;
  if (!filePath || !listSiblings) return [];
  const path = normalisePath(filePath.replace(/\\/g, '/'));
  const folder = parentOf(path);
  const files: MigrationSetFiles = {
    // listSiblings gives names only: a name ending in .sql is taken for a file, any other for a folder (diesel's, Prisma's).
    list: (listed) => listSiblings(relativePath(folder, listed)).map((name) => ({ name, isDirectory: !/\.sql$/i.test(name) })),
    read: (read) => readSibling?.(relativePath(folder, read)),
  };
  const before = new Set([...earlierMigrations(path, files), path]);
  const tokensOf = lexedOnce(readSibling);
  return earlierMigrations(createdFilePath(path, newPath), files)
    .filter((earlier) => !before.has(earlier))
    .map((earlier) => {
      const relative = relativePath(folder, earlier);
      return { path: relative, tokens: tokensOf(relative) };
    });
}

/**
 * Each sibling lexed once while its text stays the same: every fix of a file may look at the same
 * later migrations (the language server reads each once per analysis).
 */
function lexedOnce(readSibling: LintOptions['readSibling']): (path: string) => readonly Token[] | undefined {
  if (!readSibling) return () => undefined;
  let lexed = LEXED.get(readSibling);
  if (!lexed) LEXED.set(readSibling, (lexed = new Map()));
  const known = lexed;
  return (path) => {
    const text = readSibling(path);
    if (text === undefined) return undefined;
    const cached = known.get(path);
    if (cached?.text === text) return cached.tokens;
    const tokens = lex(appliedText(text));
    known.set(path, { text, tokens });
    return tokens;
  };
}

const LEXED = new WeakMap<NonNullable<LintOptions['readSibling']>, Map<string, { text: string; tokens: readonly Token[] }>>();

const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.');

/** The path of `to` relative to the folder `from` (both normalised the same way). */
function relativePath(from: string, to: string): string {
  const fromParts = from === '.' ? [] : from.split('/');
  const toParts = to === '.' ? [] : to.split('/');
  let common = 0;
  while (common < fromParts.length && common < toParts.length && fromParts[common] === toParts[common]) common++;
  return [...fromParts.slice(common).map(() => '..'), ...toParts.slice(common)].join('/') || '.';
}
