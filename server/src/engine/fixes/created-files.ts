import type { LintOptions } from '../options';
import type { CreatedFile } from '../rules/rule';
import { createdFilePath, normalisePath } from './apply';

/**
 * How a created file is linted: at its own path (so its framework is recognised from it), reading
 * its neighbours among the other created files first, then on disk.
 */
export function createdFileOptions(options: Partial<LintOptions>, created: readonly CreatedFile[], file: CreatedFile): Partial<LintOptions> {
  const migrationPath = options.filePath ?? 'migration.sql';
  const path = createdFilePath(migrationPath, file.path);
  const folder = parentOf(path);
  const migrationFolder = parentOf(normalisePath(migrationPath.replace(/\\/g, '/')));
  const createdText = new Map(created.map((other) => [createdFilePath(migrationPath, other.path), other.text]));
  return {
    ...options,
    filePath: path,
    // The earlier migrations' schema no longer matches: the fixed migration runs before this one.
    priorSchema: undefined,
    readSibling: (name) => {
      const target = normalisePath(`${folder}/${name}`);
      return createdText.get(target) ?? options.readSibling?.(relativePath(migrationFolder, target));
    },
    listSiblings: (relative = '.') => {
      const target = normalisePath(`${folder}/${relative}`);
      const onDisk = options.listSiblings?.(relativePath(migrationFolder, target)) ?? [];
      const made = [...createdText.keys()].filter((other) => parentOf(other) === target).map((other) => other.slice(other.lastIndexOf('/') + 1));
      return [...onDisk, ...made];
    },
  };
}

const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.');

/** The path of `to` relative to the folder `from` (both normalised). */
function relativePath(from: string, to: string): string {
  const fromParts = from === '.' ? [] : from.split('/');
  const toParts = to.split('/');
  let common = 0;
  while (common < fromParts.length && common < toParts.length && fromParts[common] === toParts[common]) common++;
  return [...fromParts.slice(common).map(() => '..'), ...toParts.slice(common)].join('/') || '.';
}

/** The migration's own options, reading the files a fix creates in its folder before those on disk. */
export function besideCreated(options: Partial<LintOptions>, created: readonly CreatedFile[]): Partial<LintOptions> {
  const texts = new Map(created.map((file) => [normalisePath(file.path), file.text]));
  return { ...options, readSibling: (name) => texts.get(normalisePath(name)) ?? options.readSibling?.(name) };
}
