/**
 * The PostgreSQL starter the Postgres and editor tests share, where a checkout's own directories are out
 * of the server's reach: as root, the server runs as the `postgres` user, which cannot traverse a 0700
 * directory (a checkout under `mktemp -d` or /root, whose editor-test sandbox holds TMPDIR).
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { installedMajors, startPostgres } from './pg-server';
import { connect } from './pg-sessions';

const asRoot = process.getuid?.() === 0;
const savedTmpdir = process.env.TMPDIR;
let closed: string | undefined;

afterEach(async () => {
  process.env.TMPDIR = savedTmpdir;
  if (closed) await rm(closed, { recursive: true, force: true });
});

it.skipIf(!asRoot)('starts, as root, when TMPDIR lies under a directory the postgres user cannot traverse', { timeout: 120_000 }, async () => {
  closed = await mkdtemp('/tmp/lockguard-closed-');
  await chmod(closed, 0o700);
  process.env.TMPDIR = join(closed, 'sandbox', 'tmp');
  await mkdir(process.env.TMPDIR, { recursive: true });

  const server = await startPostgres({ major: installedMajors().at(-1)! });
  try {
    const client = await connect(server.url);
    try {
      const { rows } = await client.query<{ answer: number }>('SELECT 41 + 1 AS answer');
      expect(rows[0]!.answer).toBe(42);
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
});
