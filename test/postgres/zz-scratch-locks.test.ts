import pg from 'pg';
import { it, inject } from 'vitest';
for (const server of inject('pgServers')) {
  it(`locks ${server.major}`, async () => {
    const c = new pg.Client(server.url); await c.connect();
    await c.query('DROP TABLE IF EXISTS t; CREATE TABLE t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, d int GENERATED ALWAYS AS (id*2) STORED, n text NOT NULL)');
    for (const sql of ["INSERT INTO t (n) VALUES ('x')", "INSERT INTO t (n) SELECT 'x' WHERE false", 'INSERT INTO t SELECT FROM t WHERE false', 'INSERT INTO t DEFAULT VALUES RETURNING 1', 'EXPLAIN ANALYZE INSERT INTO t SELECT WHERE false', 'SELECT * FROM t LIMIT 1', 'INSERT INTO t SELECT WHERE false', 'UPDATE t SET id = DEFAULT WHERE false', 'UPDATE t SET d = DEFAULT WHERE false', 'DELETE FROM t WHERE false']) {
      await c.query('BEGIN'); await c.query('SAVEPOINT s'); await c.query(sql).catch((e) => c.query('ROLLBACK TO s').then(() => console.log(sql, 'ERR', String(e))));
      const { rows } = await c.query(`SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = pg_backend_pid() AND c.relname LIKE 't%' ORDER BY 1, 2`);
      console.log(`PG${server.major} ${sql} -> ${rows.map((r) => r.relname + ':' + r.mode).join(' ')}`);
      await c.query('ROLLBACK');
    }
    await c.query('DROP TABLE t'); await c.end();
  });
}
