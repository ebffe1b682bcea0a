import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared corpus of real migrations and PostgreSQL's regression suite, beside the project (never copied in). */
export const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus');

/** Whether the corpus is there: a checkout without `../shared` skips the tests that read it. */
export const HAS_CORPUS = existsSync(CORPUS);
