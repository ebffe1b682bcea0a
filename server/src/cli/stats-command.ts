import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect, ConnectionProblem } from '../engine/staging/connection';
import { resolveTarget, TargetError } from '../engine/staging/connection-target';
import { statisticsOf } from '../engine/staging/sizes';
import { describeFsError } from './files';
import { UsageError } from './usage';

/**
 * `lockguard stats --url URL [--out FILE]`: exports the table sizes of a (production) database for
 * `lockguard check --stats FILE`, from catalog statistics in a read-only transaction — no table is
 * locked or scanned. The file's shape is `StatsFile` in server/src/engine/staging/sizes.ts.
 * Exit codes: 0 written; 2 bad usage, a connection problem, or the file cannot be written.
 */
export async function runStats(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: { url: { type: 'string' }, out: { type: 'string' }, 'connect-timeout': { type: 'string' } },
  });
  if (values.url === undefined || positionals.length > 0) throw new UsageError('`lockguard stats` needs --url URL (and optionally --out FILE).');
  try {
    const target = resolveTarget(values.url, undefined);
    const client = await connect(target, { applicationName: 'lockguard stats (read-only)', readOnly: true, connectTimeoutMs: values['connect-timeout'] ? Number(values['connect-timeout']) : undefined });
    let json: string;
    try {
      json = JSON.stringify(await statisticsOf(client), null, 2) + '\n';
    } finally {
      await client.end().catch(() => {});
    }
    if (values.out === undefined) {
      process.stdout.write(json);
      return 0;
    }
    try {
      writeFileSync(values.out, json);
    } catch (error) {
      process.stderr.write(`lockguard: cannot write ${values.out}: ${describeFsError(error)}\n`);
      return 2;
    }
    process.stderr.write(`lockguard: wrote the table sizes of ${target.display} to ${values.out}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConnectionProblem || error instanceof TargetError) {
      process.stderr.write(`lockguard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
