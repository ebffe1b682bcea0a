import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { PriorSchemaFiles } from './model/schema/prior-schemas';

/** The migration set's files on disk, for `PriorSchemas` (the CLI and the language server). */
export const diskFiles: PriorSchemaFiles = {
  list(folder) {
    try {
      return readdirSync(folder, { withFileTypes: true }).map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
    } catch {
      return undefined;
    }
  },
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  stamp(path) {
    try {
      const stats = statSync(path);
      return `${stats.size}:${stats.mtimeMs}`;
    } catch {
      return undefined;
    }
  },
};
