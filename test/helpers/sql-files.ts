import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The `.sql` files under a folder, in a fixed order (its own module: the benchmarks bundle it as CommonJS, without import.meta). */
export function sqlFiles(folder: string): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) return sqlFiles(path);
      return name.endsWith('.sql') ? [path] : [];
    });
}
