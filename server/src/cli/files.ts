import { readdirSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import { globBase, globToRegExp, isGlob } from './glob';

export interface CollectedFiles {
  files: string[];
  /** Paths that could not be read, with the reason in words. */
  problems: string[];
  /** How many files and directories were left out by `isExcluded`. */
  excluded: number;
}

export interface CollectOptions {
  /**
   * Whether a file, or a directory not to search, is excluded (the project configuration's `exclude`);
   * called with absolute paths.
   */
  isExcluded?: (absolutePath: string) => boolean;
}

/** Dependencies, git's own files, and Lockguard's cache (./cache.ts). */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.lockguard-cache']);

/**
 * The files to lint, in a stable order: files named on the command line (whatever their extension),
 * the `.sql` files under directories (recursively) and the `.sql` files a glob matches.
 */
export function collectSqlFiles(paths: readonly string[], options: CollectOptions = {}): CollectedFiles {
  let excludedCount = 0;
  const excluded: PathFilter = (path) => {
    const isExcluded = options.isExcluded?.(resolve(path)) ?? false;
    if (isExcluded) excludedCount++;
    return isExcluded;
  };
  const files: string[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    try {
      if (isGlob(path) && !exists(path)) files.push(...expandGlob(path, excluded));
      else if (statSync(path).isDirectory()) files.push(...walk(normalize(path), excluded, () => true));
      else if (!excluded(path)) files.push(normalize(path));
    } catch (error) {
      problems.push(`cannot read ${path}: ${describeFsError(error)}`);
    }
  }
  return { files: [...new Set(files)], problems, excluded: excludedCount };
}

type PathFilter = (path: string) => boolean;

function walk(directory: string, excluded: PathFilter, matches: PathFilter): string[] {
  if (excluded(directory)) return [];
  const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return entries.flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) ? [] : walk(path, excluded, matches);
    return entry.isFile() && entry.name.toLowerCase().endsWith('.sql') && matches(toSlashes(path)) && !excluded(path) ? [path] : [];
  });
}

function expandGlob(pattern: string, excluded: PathFilter): string[] {
  const normalized = toSlashes(normalize(pattern));
  const base = globBase(normalized);
  const matcher = globToRegExp(normalized);
  return walk(base, excluded, (path) => matcher.test(path));
}

/** Whether a path names an existing file: `[` and `{` are legal in file names, so such a name wins over the glob. */
function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

const toSlashes = (path: string) => path.split(sep).join('/');

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}
