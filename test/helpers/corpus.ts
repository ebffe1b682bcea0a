import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared corpus of real migrations and PostgreSQL's regression suite, beside the project (never copied in). */
export const CORPUS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'corpus');
