import type pg from 'pg';

/** The part of a connection the monitor needs. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * One connection shared by callers that do not wait for each other (the cancel button and the blocking
 * monitor): their queries run one after another, as a PostgreSQL connection requires. Queries may be
 * sent while it still connects: they wait for it, and fail with its connection problem if it fails.
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
