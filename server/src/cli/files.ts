import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CollectedFiles {
  files: string[];
  /** Paths that could not be read, with the reason in words. */
  problems: string[];
}

const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

/** The `.sql` files named on the command line, directories searched recursively, in a stable order. */
export function collectSqlFiles(paths: readonly string[]): CollectedFiles {
  const files: string[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) files.push(...walk(path));
      else files.push(path);
    } catch (error) {
      problems.push(`cannot read ${path}: ${describeFsError(error)}`);
    }
  }
  return { files: [...new Set(files)], problems };
}

function walk(directory: string): string[] {
  const entries = readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return entries.flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRECTORIES.has(entry.name) ? [] : walk(path);
    return entry.isFile() && entry.name.toLowerCase().endsWith('.sql') ? [path] : [];
  });
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}
