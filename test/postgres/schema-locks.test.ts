/**
 * Checks the locks only the schema shows (`locksTheSchemaShows`) against real servers: after the setup, the
 * statement runs in a transaction, and each predicted lock's mode must be the strongest pg_locks shows on that
 * table. Each case also names a table the statement must leave unlocked, so a prediction that locks too much fails.
 */
import { describe, inject, it } from 'vitest';
import { Linter } from '../../server/src/engine/lint';
import { locksTheSchemaShows } from '../../server/src/engine/locks/schema-locks';
import { schemaHistory } from '../../server/src/engine/model/schema/replay';
import type { ParsedStatement } from '../../server/src/engine/model/statement';
import { relationOid, runAll, strongestLockOn, withSchemaSessions } from './pg-sessions';

const SETUP = [
  'CREATE TABLE parent (id int PRIMARY KEY)',
  'CREATE TABLE other (id int PRIMARY KEY)',
  'CREATE TABLE child (id int PRIMARY KEY, parent_id int CONSTRAINT child_parent_fk REFERENCES parent, note text)',
  'CREATE INDEX child_note_idx ON child (note)',
];

interface Case {
  statement: string;
  /** The tables the statement does not name that it locks, with the mode. */
  locked: Readonly<Record<string, string>>;
  /** A table the statement must not lock. */
  untouched: string;
}

const CASES: readonly Case[] = [
  { statement: 'ALTER TABLE child DROP CONSTRAINT child_parent_fk', locked: { parent: 'ACCESS EXCLUSIVE' }, untouched: 'other' },
  { statement: 'ALTER TABLE child DROP COLUMN parent_id', locked: { parent: 'ACCESS EXCLUSIVE' }, untouched: 'other' },
  { statement: 'DROP TABLE child', locked: { parent: 'ACCESS EXCLUSIVE' }, untouched: 'other' },
  { statement: 'DROP INDEX child_note_idx', locked: { child: 'ACCESS EXCLUSIVE' }, untouched: 'parent' },
  { statement: 'ALTER TABLE child DROP COLUMN note', locked: {}, untouched: 'parent' },
];

const servers = inject('pgServers');
const linter = await Linter.create();

describe.concurrent('locksTheSchemaShows names the tables PostgreSQL locks beyond those the statement names', () => {
  CASES.forEach(({ statement, locked, untouched }, index) => {
    const { statements } = linter.lint([...SETUP, statement].map((sql) => `${sql};`).join('\n'));
    const last = statements[statements.length - 1] as ParsedStatement;
    const predicted = Object.fromEntries(
      locksTheSchemaShows(last, schemaHistory(statements).before(last.index), 18).map((lock) => [lock.relation.name, lock.mode]),
    );
    for (const { major, url } of servers) {
      it(`${statement} on PostgreSQL ${major}`, async ({ expect }) => {
        expect(predicted).toEqual(locked);
        const schema = `schema_locks_${index}`;
        await withSchemaSessions(url, schema, 1, async (session) => {
          await runAll(session, [...SETUP, 'BEGIN', statement]);
          for (const [table, mode] of Object.entries(locked))
            expect(await strongestLockOn(session, await relationOid(session, schema, table)), table).toBe(mode);
          expect(await strongestLockOn(session, await relationOid(session, schema, untouched)), untouched).toBeUndefined();
          await session.query('ROLLBACK');
        });
      });
    }
  });
});
