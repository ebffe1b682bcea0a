/**
 * Checks the lock knowledge base (`locksOf`) against real servers: for each statement, the lock mode
 * it predicts on each relation must be the strongest one pg_locks shows, and the kind of work it
 * predicts must match what happened (relfilenode changed = rewrite; sequential scan = scan).
 */
import type pg from 'pg';
import { describe, inject, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { locksOf, type Work } from '../../server/src/engine/locks/statement-locks';
import { runAll, strongestLockOn, withSchemaSessions } from './pg-sessions';

const FIXTURE = [
  'CREATE TABLE parent (id int PRIMARY KEY)',
  'INSERT INTO parent SELECT g FROM generate_series(1, 100) g',
  'CREATE TABLE t (id int PRIMARY KEY, col int, txt text, vc varchar(50), parent_id int)',
  "INSERT INTO t SELECT g, g, md5(g::text), 'x', g % 100 + 1 FROM generate_series(1, 2000) g",
  'CREATE INDEX t_txt_idx ON t (txt)',
  'CREATE MATERIALIZED VIEW mv AS SELECT id FROM parent',
  'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
  'ANALYZE t',
];

/** A partitioned table with one partition holding rows, and a table with rows that fits the next bound. */
const PARTITIONED_SETUP = [
  'CREATE TABLE parted (id int, note text) PARTITION BY RANGE (id)',
  'CREATE TABLE part_old PARTITION OF parted FOR VALUES FROM (1001) TO (2001)',
  'INSERT INTO parted SELECT g, md5(g::text) FROM generate_series(1001, 2000) g',
  'CREATE TABLE part_new (id int, note text)',
  'INSERT INTO part_new SELECT g, md5(g::text) FROM generate_series(1, 1000) g',
];

interface Case {
  sql: string;
  /** Extra setup for this case. */
  setup?: string[];
  /** The prediction is an upper bound here: the engine cannot know the column's current type. */
  workIsUpperBound?: true;
  /** TRUNCATE gets a new, empty file: a new relfilenode without copying anything. */
  skipWork?: true;
  /** The setup makes every condition of the lock's `fastIf` hold: its work must then be instant. */
  conditionsHold?: true;
}

const CASES: Case[] = [
  { sql: 'CREATE INDEX t_col_idx ON t (col)' },
  { sql: 'CREATE UNIQUE INDEX t_vc_uidx ON t (vc, id)' },
  { sql: 'DROP INDEX t_txt_idx' },
  { sql: 'REINDEX INDEX t_txt_idx' },
  { sql: 'REINDEX TABLE t' },
  { sql: 'ALTER TABLE t ADD COLUMN c_new int' },
  { sql: 'ALTER TABLE t ADD COLUMN c_def int DEFAULT 0' },
  { sql: 'ALTER TABLE t ADD COLUMN c_now timestamptz NOT NULL DEFAULT now()' },
  { sql: 'ALTER TABLE t ADD COLUMN c_ts timestamptz DEFAULT clock_timestamp()' },
  { sql: 'ALTER TABLE t ADD COLUMN c_uuid uuid DEFAULT gen_random_uuid()' },
  { sql: 'ALTER TABLE t ADD COLUMN c_serial bigserial' },
  { sql: 'ALTER TABLE t ADD COLUMN c_gen int GENERATED ALWAYS AS (col * 2) STORED' },
  { sql: 'ALTER TABLE t ADD COLUMN c_identity int GENERATED ALWAYS AS IDENTITY' },
  { sql: 'ALTER TABLE t ALTER COLUMN col SET NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN col DROP NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN col SET DEFAULT 7' },
  { sql: 'ALTER TABLE t ALTER COLUMN col SET STATISTICS 500' },
  { sql: 'ALTER TABLE t SET (fillfactor = 70)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID' },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_parent_fk', setup: ['ALTER TABLE t ADD CONSTRAINT t_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) NOT VALID'] },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_col_chk CHECK (col >= 0)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_col_chk CHECK (col >= 0) NOT VALID' },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_col_chk', setup: ['ALTER TABLE t ADD CONSTRAINT t_col_chk CHECK (col >= 0) NOT VALID'] },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_txt_key UNIQUE (txt)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT t_txt_key UNIQUE USING INDEX t_txt_uidx', setup: ['CREATE UNIQUE INDEX t_txt_uidx ON t (txt)'] },
  { sql: 'ALTER TABLE t ALTER COLUMN col TYPE bigint' },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE varchar(100)', workIsUpperBound: true },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE text', workIsUpperBound: true },
  { sql: 'ALTER TABLE t DROP COLUMN vc' },
  { sql: 'ALTER TABLE t RENAME COLUMN col TO col2' },
  { sql: 'ALTER TABLE t RENAME TO t2' },
  { sql: 'ALTER INDEX t_txt_idx RENAME TO t_txt_idx2' },
  { sql: 'ALTER TABLE t SET UNLOGGED' },
  { sql: 'ALTER TABLE t DISABLE TRIGGER ALL' },
  { sql: 'TRUNCATE t', skipWork: true },
  { sql: 'DROP TABLE t', skipWork: true },
  { sql: 'CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id))' },
  { sql: 'CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()' },
  { sql: 'DROP TRIGGER t_touch ON t', setup: ['CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()'] },
  // Every existing row is NULL in the new column: nothing to validate, so no scan of either table.
  { sql: 'ALTER TABLE t ADD COLUMN other_parent_id int REFERENCES parent (id)' },
  { sql: 'REFRESH MATERIALIZED VIEW mv' },
  { sql: 'CLUSTER t USING t_pkey' },
  { sql: "COMMENT ON TABLE t IS 'orders'" },
  { sql: 'LOCK TABLE t IN SHARE MODE' },
  { sql: 'LOCK TABLE t' },
  { sql: 'ALTER TABLE parted ATTACH PARTITION part_new FOR VALUES FROM (1) TO (1001)', setup: PARTITIONED_SETUP },
  { sql: 'ALTER TABLE parted DETACH PARTITION part_old', setup: PARTITIONED_SETUP },
  { sql: 'UPDATE t SET col = col + 1' },
  { sql: 'DELETE FROM t WHERE id < 10' },
  // Statement cost (server/src/engine/locks/statement-cost.ts): rows named by key or VALUES are instant; reads of a whole table scan it.
  { sql: 'INSERT INTO t (id, col) VALUES (5001, 1), (5002, 2)' },
  { sql: "UPDATE t SET txt = 'x' WHERE id = 7" },
  { sql: 'DELETE FROM t WHERE id IN (8, 9)' },
  { sql: 'SELECT sum(col) FROM t' },
  { sql: 'INSERT INTO parent SELECT id + 1000 FROM t' },
  { sql: 'CREATE TABLE t_copy AS SELECT * FROM t' },
  { sql: 'ALTER TABLE t ALTER col SET NOT NULL', setup: ['ALTER TABLE t ADD CONSTRAINT t_col_proof CHECK (col IS NOT NULL AND col > 0)'], conditionsHold: true },
  // The column's current type (varchar(50), in the fixture) reaches the new one without converting a value; a CHECK on
  // another column is not checked again, and timestamp → timestamptz in a UTC session without an index touches no row.
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE text', setup: ['CREATE INDEX t_vc_idx ON t (vc)'], conditionsHold: true },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE varchar(100)', setup: ['ALTER TABLE t ADD CONSTRAINT t_id_positive CHECK (id > 0)'], conditionsHold: true },
  { sql: 'ALTER TABLE t ALTER COLUMN seen_at TYPE timestamptz', setup: ['ALTER TABLE t ADD COLUMN seen_at timestamp', "SET TIME ZONE 'UTC'"], conditionsHold: true },
  {
    sql: 'ALTER TABLE empty_child ADD CONSTRAINT empty_child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)',
    setup: ['CREATE TABLE empty_child (id int, parent_id int)'],
    conditionsHold: true,
  },
];

const servers = inject('pgServers');
const linter = await Linter.create();

describe.concurrent('lock knowledge base matches pg_locks', () => {
  CASES.forEach((testCase, index) => {
    describe(testCase.sql, () => {
      for (const { major, url } of servers) {
        it(`PostgreSQL ${major}`, async ({ expect }) => {
          const [statement] = linter.lint(testCase.sql, { pgVersion: major }).statements;
          if (statement?.kind !== 'parsed') throw new Error(`cannot parse ${testCase.sql}`);
          const predicted = locksOf(statement, major);
          expect(predicted.length, 'the knowledge base knows this statement').toBeGreaterThan(0);
          await withSchemaSessions(url, `statement_locks_${index}`, 1, async (session) => {
            await runAll(session, [...FIXTURE, ...(testCase.setup ?? [])]);
            const before = await relationState(session, predicted.map((lock) => lock.relation.name));
            await session.query('BEGIN');
            // Since PostgreSQL 15 the xact statistics also hold counts not yet flushed from earlier transactions: use deltas.
            const scansBefore = await seqScans(session, [...before.values()]);
            await session.query(testCase.sql);
            for (const lock of predicted) {
              const relation = before.get(lock.relation.name);
              if (!relation) throw new Error(`fixture has no relation ${lock.relation.name}`);
              expect.soft(await strongestLockOn(session, relation.oid), `lock on ${lock.relation.name}`).toBe(lock.mode);
              if (testCase.skipWork) continue;
              const measured = await measuredWork(session, relation, scansBefore.get(relation.oid) ?? 0);
              if (testCase.conditionsHold && lock.fastIf) {
                expect.soft(measured, `work on ${lock.relation.name} (its conditions hold)`).toBe('instant');
                continue;
              }
              // How many rows a WHERE touches, and whether through an index, depends on the plan: only exclude a rewrite.
              if (lock.work === 'rows') expect.soft(measured, `work on ${lock.relation.name}`).not.toBe('rewrite');
              else if (testCase.workIsUpperBound) expect.soft(rank(coarse(lock.work)), `work on ${lock.relation.name}`).toBeGreaterThanOrEqual(rank(measured));
              else expect.soft(coarse(lock.work), `work on ${lock.relation.name}`).toBe(measured);
            }
            await session.query('ROLLBACK');
          });
        });
      }
    });
  });
});

type MeasuredWork = 'instant' | 'scan' | 'rewrite';
const rank = (work: MeasuredWork) => ['instant', 'scan', 'rewrite'].indexOf(work);
/** An index build and a row-touching statement both read the table: to pg_stat they are scans. */
const coarse = (work: Work): MeasuredWork => (work === 'rewrite' ? 'rewrite' : work === 'instant' ? 'instant' : 'scan');

interface RelationState {
  oid: number;
  relfilenode: number;
}

async function relationState(session: pg.Client, names: string[]): Promise<Map<string, RelationState>> {
  const { rows } = await session.query<{ relname: string; oid: number; relfilenode: number }>(
    `SELECT relname, oid::int AS oid, relfilenode::int AS relfilenode FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname = ANY($1)`,
    [names],
  );
  return new Map(rows.map((row) => [row.relname, { oid: row.oid, relfilenode: row.relfilenode }]));
}

async function seqScans(session: pg.Client, relations: RelationState[]): Promise<Map<number, number>> {
  const { rows } = await session.query<{ relid: number; seq_scan: string }>(
    `SELECT relid::int AS relid, seq_scan FROM pg_stat_xact_user_tables WHERE relid = ANY($1)`,
    [relations.map((relation) => relation.oid)],
  );
  return new Map(rows.map((row) => [row.relid, Number(row.seq_scan)]));
}

/** What the statement did to the relation: a new relfilenode is a rewrite, more sequential scans a scan. */
async function measuredWork(session: pg.Client, relation: RelationState, scansBefore: number): Promise<MeasuredWork> {
  const { rows } = await session.query<{ relfilenode: number | null }>(`SELECT relfilenode::int AS relfilenode FROM pg_class WHERE oid = $1`, [relation.oid]);
  const relfilenode = rows[0]?.relfilenode;
  if (relfilenode !== undefined && relfilenode !== null && relfilenode !== relation.relfilenode) return 'rewrite';
  const scansAfter = (await seqScans(session, [relation])).get(relation.oid) ?? 0;
  return scansAfter > scansBefore ? 'scan' : 'instant';
}
