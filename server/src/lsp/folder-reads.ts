import type { LintOptions } from '../engine';

/**
 * The options of one analysis, with the migration's folder read at most once per name and sub-folder:
 * every fix that writes a new migration lists the folder to name it, and a keystroke in a file with a
 * hundred such findings must not cost a hundred directory reads. Made afresh for each analysis, so an
 * analysis still sees the folder as it is when the analysis starts.
 */
export function withFolderReadOnce(options: Partial<LintOptions>): Partial<LintOptions> {
  const { readSibling, listSiblings } = options;
  return {
    ...options,
    ...(readSibling && { readSibling: once(readSibling) }),
    ...(listSiblings && { listSiblings: once((folder?: string) => listSiblings(folder)) }),
  };
}

function once<Name extends string | undefined, T>(read: (name: Name) => T): (name: Name) => T {
  const known = new Map<Name, T>();
  return (name) => {
    if (!known.has(name)) known.set(name, read(name));
    return known.get(name) as T;
  };
}
