import type { Fix, TextEdit } from '../rules/rule';

/** The text with the edits applied (non-overlapping, any order): the one place a fix is applied. */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  return [...edits]
    .sort((a, b) => b.range.start - a.range.start || b.range.end - a.range.end)
    .reduce((text, edit) => text.slice(0, edit.range.start) + edit.newText + text.slice(edit.range.end), source);
}

export const applyFix = (source: string, fix: Fix): string => applyEdits(source, fix.edits);

/**
 * Where a file a fix creates goes: its path (relative to the migration's folder) joined to the
 * migration's path, with `.` and `..` resolved. Forward slashes in, forward slashes out.
 */
export function createdFilePath(migrationPath: string, relativePath: string): string {
  const slashed = migrationPath.replace(/\\/g, '/');
  const folder = slashed.includes('/') ? slashed.slice(0, slashed.lastIndexOf('/')) : '.';
  return normalisePath(`${folder}/${relativePath}`);
}

/** `a/b/../c/./d` → `a/c/d`; a leading `/` (or drive) is kept, leading `..` of a relative path too. */
export function normalisePath(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (part !== '..' || !absolute) parts.push(part);
  }
  return (absolute ? '/' : '') + parts.join('/');
}
