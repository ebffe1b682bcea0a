import type pg from 'pg';

/** The part of a connection the monitor needs. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * One connection shared by callers that do not wait for each other (the cancel button and the blocking
 * monitor): their queries run one after another, as a PostgreSQL connection requires.
 */
export function serialized(client: pg.Client): Queryable {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      const next = tail.then(() => client.query<R>(sql, params));
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
