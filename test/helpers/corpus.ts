import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared corpus of real migrations and PostgreSQL's regression suite, beside the project (never copied in). */
export const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus');

/** Whether the corpus is there: a checkout without `../shared` skips the tests that read it. */
export const HAS_CORPUS = existsSync(CORPUS);

/** The framework projects of `corpus/frameworks` as MANIFEST.tsv lists them (folder, framework); none without the corpus. */
export function frameworkProjects(): Array<{ folder: string; framework: string }> {
  if (!HAS_CORPUS) return [];
  return readFileSync(join(CORPUS, 'frameworks', 'MANIFEST.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .map(([folder, framework]) => ({ folder: folder!, framework: framework! }));
}
