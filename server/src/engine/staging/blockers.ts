/**
 * Who makes a traced statement wait: while it runs, another connection (the probe session, idle then)
 * polls pg_blocking_pids, so a lock_timeout failure can name the session that held the lock (pid,
 * query, application).
 */
import type { Blocker } from './report';
import type { Queryable } from './serial';

/** A statement that finishes sooner waited on nobody worth naming; polling starts after this. */
const FIRST_LOOK_MS = 50;
/**
 * The looks then grow twice as far apart, to a quarter of lock_timeout (a lock wait lasts that long,
 * so it is seen 3–4 times) and at most a second: a long statement is not slowed by looks that find nobody.
 */
const MAX_POLL_MS = 1_000;
const QUERY_CHARS = 500;

export function blockerWatcher(monitor: Queryable, tracedPid: number, lockTimeoutMs: number): (running: Promise<unknown>) => Promise<Blocker[]> {
  const maxPollMs = Math.max(FIRST_LOOK_MS, Math.min(MAX_POLL_MS, lockTimeoutMs / 4));
  return async (running) => {
    let done = false;
    const finished = running.then(
      () => void (done = true),
      () => void (done = true),
    );
    // The pause ends with the statement, and leaves no timer behind to keep the process alive.
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        void finished.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    let seen: Blocker[] = [];
    let pollMs = FIRST_LOOK_MS;
    await pause(pollMs);
    while (!done) {
      const looked = await monitor
        .query<{ pid: number; query: string | null; application_name: string | null }>(
          // pg_stat_activity is read only for a blocker: most looks find none, and they run all along a long statement.
          `SELECT b.pid, left(a.query, ${QUERY_CHARS}) AS query, a.application_name
           FROM unnest(pg_blocking_pids($1)) AS b(pid)
           LEFT JOIN LATERAL (SELECT query, application_name FROM pg_stat_activity WHERE pid = b.pid) AS a ON true`,
          [tracedPid],
        )
        .catch(() => undefined);
      // A look that failed (the user cancelled, the connection went) ends the watch: the statement's own outcome is what counts.
      if (!looked) break;
      const { rows } = looked;
      if (rows.length > 0) seen = rows.map((row) => ({ pid: row.pid, query: row.query ?? '', applicationName: row.application_name ?? '' }));
      pollMs = Math.min(pollMs * 2, maxPollMs);
      await pause(pollMs);
    }
    return seen;
  };
}
