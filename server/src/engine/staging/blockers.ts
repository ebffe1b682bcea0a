/**
 * Who makes a traced statement wait: while it runs, a monitor connection polls pg_blocking_pids, so a
 * lock_timeout failure can name the session that held the lock (pid, query, application).
 */
import type { Blocker } from './report';
import type { Queryable } from './serial';

/** A statement that finishes sooner waited on nobody worth naming; polling starts after this. */
const FIRST_LOOK_MS = 50;
const POLL_MS = 50;
const QUERY_CHARS = 500;

export function blockerWatcher(monitor: Queryable, tracedPid: number): (running: Promise<unknown>) => Promise<Blocker[]> {
  return async (running) => {
    let done = false;
    const finished = running.then(
      () => void (done = true),
      () => void (done = true),
    );
    let seen: Blocker[] = [];
    await Promise.race([finished, sleep(FIRST_LOOK_MS)]);
    while (!done) {
      const { rows } = await monitor.query<{ pid: number; query: string | null; application_name: string | null }>(
        // pg_stat_activity is read only for a blocker: most looks find none, and they run all along a long statement.
        `SELECT b.pid, left(a.query, ${QUERY_CHARS}) AS query, a.application_name
         FROM unnest(pg_blocking_pids($1)) AS b(pid)
         LEFT JOIN LATERAL (SELECT query, application_name FROM pg_stat_activity WHERE pid = b.pid) AS a ON true`,
        [tracedPid],
      );
      if (rows.length > 0) seen = rows.map((row) => ({ pid: row.pid, query: row.query ?? '', applicationName: row.application_name ?? '' }));
      await Promise.race([finished, sleep(POLL_MS)]);
    }
    return seen;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
