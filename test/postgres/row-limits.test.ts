/**
 * Checks `rowLimit` (server/src/engine/rules/support/row-limits.ts) against real servers: the rewrite and scan
 * rules stay quiet on a table whose keys and CHECKs hold it to a few rows, so the bound must be the one PostgreSQL
 * enforces. Each case tries more distinct rows than the bound; exactly `rowLimit` of them must go in.
 */
import { describe, inject, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { schemaHistory } from '../../server/src/engine/model/schema/replay';
import { rowLimit } from '../../server/src/engine/rules/support/row-limits';
import { runAll, withSchemaSessions } from './pg-sessions';

interface Case {
  create: string;
  /** Rows to try, as the VALUES of `INSERT INTO t`: more than the bound, each distinct. */
  rows: readonly string[];
}

const CASES: readonly Case[] = [
  { create: 'CREATE TABLE t (ok bool PRIMARY KEY, state text NOT NULL, CHECK (ok))', rows: ["(true, 'a')", "(true, 'b')", "(false, 'c')"] },
  { create: 'CREATE TABLE t (ok bool PRIMARY KEY CHECK (ok IS TRUE), state text)', rows: ["(true, 'a')", "(false, 'b')"] },
  { create: 'CREATE TABLE t (id int PRIMARY KEY CHECK (id = 1), state text)', rows: ["(1, 'a')", "(2, 'b')", "(0, 'c')"] },
  {
    create: "CREATE TABLE t (a int, b text, PRIMARY KEY (a, b), CHECK (a IN (1, 2) AND b = 'x'))",
    rows: ["(1, 'x')", "(2, 'x')", "(3, 'x')", "(1, 'y')"],
  },
  { create: 'CREATE TABLE t (lock int NOT NULL UNIQUE CHECK (lock = 1), state text)', rows: ["(1, 'a')", "(1, 'b')", "(2, 'c')"] },
];

const servers = inject('pgServers');
const linter = await Linter.create();

describe.concurrent('rowLimit is the number of rows PostgreSQL lets the table hold', () => {
  CASES.forEach(({ create, rows }, index) => {
    const { statements } = linter.lint(`${create};`);
    const limit = rowLimit(schemaHistory(statements).before(statements.length).table({ schema: undefined, name: 't' })!);
    for (const { major, url } of servers) {
      it(`${create} holds ${limit} row(s) on PostgreSQL ${major}`, async ({ expect }) => {
        expect(limit).toBeLessThan(rows.length);
        await withSchemaSessions(url, `row_limits_${index}`, 1, async (session) => {
          await runAll(session, [create]);
          let inserted = 0;
          for (const row of rows)
            inserted += await session.query(`INSERT INTO t VALUES ${row}`).then(
              () => 1,
              () => 0,
            );
          expect(inserted).toBe(limit);
        });
      });
    }
  });
});
