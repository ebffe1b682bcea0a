import type pg from 'pg';

/** The part of a connection a monitor needs. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * A connection for callers that may query it before it is open (the blocker watcher on a probe session):
 * queries run one after another, as a PostgreSQL connection requires; they wait for it to connect,
 * and fail with its connection problem if it fails.
 */
export function serialized(connecting: Promise<pg.Client>): Queryable {
  let tail: Promise<unknown> = connecting;
  return {
    query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      const next = tail.then(() => connecting).then((client) => client.query<R>(sql, params));
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
