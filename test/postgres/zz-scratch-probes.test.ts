import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';

const OPS = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;
type Op = (typeof OPS)[number];
type Probes = Record<Op, string>;

const realProbe: Probes = {
  SELECT: `SELECT * FROM lock_probe WHERE id = 1`,
  INSERT: `INSERT INTO lock_probe (id, customer_id) VALUES (-1, 0)`,
  UPDATE: `UPDATE lock_probe SET customer_id = customer_id + 1 WHERE id = 1`,
  DELETE: `DELETE FROM lock_probe WHERE id = 1`,
};
const realParent: Probes = {
  SELECT: `SELECT * FROM parent WHERE id = 1`,
  INSERT: `INSERT INTO parent VALUES (-1)`,
  UPDATE: `UPDATE parent SET id = id WHERE id = 1`,
  DELETE: `DELETE FROM parent WHERE id = 1`,
};
const realGen: Probes = {
  SELECT: `SELECT * FROM gen WHERE id = 1`,
  INSERT: `INSERT INTO gen (note) VALUES ('x')`,
  UPDATE: `UPDATE gen SET note = 'y' WHERE id = 1`,
  DELETE: `DELETE FROM gen WHERE id = 1`,
};

async function shapeFree(c: pg.Client, t: string): Promise<Probes> {
  const { rows } = await c.query<{ col: string }>(
    `SELECT format('%I', attname) AS col FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum LIMIT 1`, [t]);
  return {
    SELECT: `SELECT * FROM ${t} LIMIT 1`,
    INSERT: `INSERT INTO ${t} SELECT WHERE false`,
    UPDATE: `UPDATE ${t} SET ${rows[0]!.col} = DEFAULT WHERE false`,
    DELETE: `DELETE FROM ${t} WHERE false`,
  };
}

const SETUP = [
  'CREATE TABLE lock_probe (id int PRIMARY KEY, customer_id int)',
  'INSERT INTO lock_probe SELECT g, g % 100 FROM generate_series(1, 1000) g',
  'CREATE TABLE parent (id int PRIMARY KEY)',
  'INSERT INTO parent SELECT g FROM generate_series(1, 10) g',
  'CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent)',
  'INSERT INTO child VALUES (1, 2)',
  'CREATE TABLE gen (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, doubled int GENERATED ALWAYS AS (id * 2) STORED, note text NOT NULL)',
  "INSERT INTO gen (note) SELECT 'n' FROM generate_series(1, 10)",
];

const MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];
const scenarios: [string, string, Probes][] = [
  ...MODES.map((m): [string, string, Probes] => [`LOCK TABLE lock_probe IN ${m} MODE`, 'lock_probe', realProbe]),
  ['CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)', 'lock_probe', realProbe],
  ['ANALYZE lock_probe', 'lock_probe', realProbe],
  ['ALTER INDEX lock_probe_pkey SET TABLESPACE pg_default', 'lock_probe', realProbe],
  ['ALTER INDEX lock_probe_pkey SET (fillfactor = 50)', 'lock_probe', realProbe],
  ['ALTER INDEX lock_probe_pkey RENAME TO lock_probe_pk', 'lock_probe', realProbe],
  ['REINDEX INDEX lock_probe_pkey', 'lock_probe', realProbe],
  ['ALTER TABLE lock_probe ADD COLUMN extra int', 'lock_probe', realProbe],
  ['SELECT * FROM lock_probe WHERE id = 1 FOR UPDATE', 'lock_probe', realProbe],
  ['ALTER TABLE child ADD CONSTRAINT child_parent_fk2 FOREIGN KEY (parent_id) REFERENCES parent NOT VALID', 'parent', realParent],
  ...MODES.map((m): [string, string, Probes] => [`LOCK TABLE child IN ${m} MODE`, 'parent', realParent]),
  ...MODES.map((m): [string, string, Probes] => [`LOCK TABLE gen IN ${m} MODE`, 'gen', realGen]),
];

async function blocked(c: pg.Client, probes: Probes): Promise<Op[]> {
  const out: Op[] = [];
  for (const op of OPS) {
    await c.query('BEGIN');
    try { await c.query(probes[op]); } catch (e) {
      if (e instanceof pg.DatabaseError && e.code === '55P03') out.push(op); else throw new Error(`${probes[op]}: ${String(e)}`);
    } finally { await c.query('ROLLBACK'); }
  }
  return out;
}

for (const server of inject('pgServers')) {
  describe.concurrent(`PG ${server.major}`, () => {
    for (const [stmt, rel, real] of scenarios) {
      it(stmt + ' / ' + rel, async ({ expect }) => {
        const a = new pg.Client(server.url), b = new pg.Client(server.url);
        await a.connect(); await b.connect();
        const schema = 's' + Math.random().toString(36).slice(2);
        try {
          await a.query(`CREATE SCHEMA ${schema}`);
          for (const c of [a, b]) await c.query(`SET search_path TO ${schema}`);
          for (const s of SETUP) await a.query(s);
          const free = await shapeFree(b, rel);
          await b.query(`SET lock_timeout = '200ms'`);
          expect(await blocked(b, free), 'no lock held').toEqual([]);
          expect(await blocked(b, real), 'no lock held, real').toEqual([]);
          await a.query('BEGIN');
          await a.query(stmt);
          const held = await a.query(`SELECT c.relname || ':' || l.mode AS m FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE l.pid = pg_backend_pid() AND c.relnamespace = '${schema}'::regnamespace ORDER BY 1`);
          const r = await blocked(b, real);
          const f = await blocked(b, free);
          console.log(`PG${server.major} | ${stmt} | probe ${rel} | real=${r.join(',')} | shapeFree=${f.join(',')} | held ${held.rows.map((x) => x.m).join(' ')}${r.join() === f.join() ? '' : '  <<< DIFF'}`);
          await a.query('ROLLBACK');
        } finally {
          await b.end(); await a.query('ROLLBACK'); await a.query(`DROP SCHEMA ${schema} CASCADE`); await a.end();
        }
      });
    }
  });
}
