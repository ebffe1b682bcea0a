import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The files under a folder whose names end with `suffix`, in a fixed order (its own module: the benchmarks bundle it as CommonJS, without import.meta). */
export function filesEndingWith(folder: string, suffix: string): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) return filesEndingWith(path, suffix);
      return name.endsWith(suffix) ? [path] : [];
    });
}

/** The `.sql` files under a folder, in a fixed order. */
export const sqlFiles = (folder: string): string[] => filesEndingWith(folder, '.sql');
