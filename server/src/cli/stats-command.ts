import { writeFileSync } from 'node:fs';
import { connect, ConnectionProblem, resolveTarget, statisticsOf, TargetError } from '../engine';
import type { OptionValues } from './arguments';
import type { STATS_COMMAND } from './commands';
import { describeFsError } from './files';
import { UsageError } from './usage';

/**
 * `lockguard stats --url URL [--out FILE]`: exports the table and index sizes of a (production)
 * database for `lockguard check --stats FILE`, from catalog statistics in a read-only transaction — no
 * table is locked or scanned — with the settings that decide whether a statement there reads from
 * disk or spills its sort (shared_buffers, effective_cache_size, maintenance_work_mem,
 * max_parallel_maintenance_workers). The file's shape is `StatsFile` in server/src/engine/staging/sizes.ts.
 * Exit codes: 0 written; 2 bad usage, a connection problem, or the file cannot be written.
 */
export async function runStats(values: OptionValues<typeof STATS_COMMAND.options>): Promise<number> {
  if (values.url === undefined) throw new UsageError('`lockguard stats` needs --url URL (and optionally --out FILE).');
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
    process.stderr.write(`lockguard: wrote the table sizes and memory settings of ${target.display} to ${values.out}\n`);
    return 0;
  } catch (error) {
    if (error instanceof ConnectionProblem || error instanceof TargetError) {
      process.stderr.write(`lockguard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
