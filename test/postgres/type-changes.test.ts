/**
 * Checks the binary-coercible type-change knowledge (`typeChangeEffect`) against real servers: after
 * `ALTER COLUMN c TYPE …`, a rewrite gives the table a new relfilenode; a change predicted to be
 * catalog-only must keep both the table's and the column index's relfilenode; one that only rebuilds
 * indexes keeps the table's. Every change runs twice, with the session's TimeZone UTC and not.
 */
import type { Node } from '@pgsql/types';
import type pg from 'pg';
import { describe, inject, it } from 'vitest';
import { columnTypeOf, isPlainUsing, typeChangeEffect, type ColumnType, type TypeChangeEffect } from '../../server/src/engine/knowledge/type-changes';
import { Linter } from '../../server/src/engine/lint';
import { nodeAs } from '../../server/src/engine/model/statement';
import { runAll, withSchemaSessions } from './pg-sessions';

interface Case {
  from: string;
  to: string;
  /** A value of type `from` (SQL literal). */
  value: string;
  /** A USING expression: one that only casts the column must behave like none (isPlainUsing). */
  using?: string;
}

const CASES: Case[] = [
  { from: 'varchar(10)', to: 'varchar(20)', value: "'abc'" },
  { from: 'varchar(20)', to: 'varchar(10)', value: "'abc'" },
  { from: 'varchar(10)', to: 'varchar', value: "'abc'" },
  { from: 'varchar(10)', to: 'text', value: "'abc'" },
  { from: 'character varying', to: 'text', value: "'abc'" },
  { from: 'text', to: 'varchar', value: "'abc'" },
  { from: 'text', to: 'varchar(64)', value: "'abc'" },
  { from: 'varchar(10)[]', to: 'varchar(20)[]', value: "'{abc}'" },
  { from: 'char(5)', to: 'char(10)', value: "'abc'" },
  { from: 'char(5)', to: 'varchar(10)', value: "'abc'" },
  { from: 'numeric(10,2)', to: 'numeric(12,2)', value: '1.5' },
  { from: 'numeric(10,2)', to: 'numeric(12,3)', value: '1.5' },
  { from: 'numeric(10,2)', to: 'numeric', value: '1.5' },
  { from: 'numeric', to: 'numeric(10,2)', value: '1.5' },
  { from: 'decimal(10)', to: 'numeric(12)', value: '1' },
  { from: 'bit varying(8)', to: 'varbit(16)', value: "B'101'" },
  { from: 'bit(8)', to: 'varbit', value: "B'10101010'" },
  { from: 'cidr', to: 'inet', value: "'10.0.0.0/8'" },
  { from: 'inet', to: 'cidr', value: "'10.0.0.0/8'" },
  { from: 'timestamp', to: 'timestamptz', value: 'LOCALTIMESTAMP' },
  { from: 'timestamptz', to: 'timestamp without time zone', value: 'now()' },
  { from: 'timestamp(3)', to: 'timestamp with time zone', value: 'LOCALTIMESTAMP' },
  { from: 'timestamp', to: 'timestamptz(3)', value: 'LOCALTIMESTAMP' },
  { from: 'timestamp(3)', to: 'timestamp', value: 'LOCALTIMESTAMP' },
  { from: 'timestamp', to: 'timestamp(3)', value: 'LOCALTIMESTAMP' },
  { from: 'time(0)', to: 'time', value: 'LOCALTIME' },
  { from: 'int', to: 'bigint', value: '1' },
  { from: 'bigint', to: 'int', value: '1' },
  { from: 'int', to: 'integer', value: '1' },
  { from: 'varchar(10)', to: 'varchar(20)', value: "'abc'", using: 'c' },
  { from: 'varchar(10)', to: 'text', value: "'abc'", using: 'c::text' },
  { from: 'numeric(10,2)', to: 'numeric(12,2)', value: '1.5', using: 'c::numeric(12,2)' },
  { from: 'varchar(10)', to: 'varchar(20)', value: "'abc'", using: 'lower(c)' },
];

const TIME_ZONES = ['UTC', 'America/New_York'] as const;
type Measured = 'none' | 'rewrite' | 'indexes-rebuilt';

const servers = inject('pgServers');
const linter = await Linter.create();

describe.concurrent('type changes rewrite exactly when typeChangeEffect says so', () => {
  CASES.forEach((testCase, index) => {
    const { from, to, using } = testCase;
    describe(`${from} → ${to}${using ? ` USING ${using}` : ''}`, () => {
      for (const { major, url } of servers) {
        it(`PostgreSQL ${major}`, async ({ expect }) => {
          const target = definitionOf(`ALTER TABLE t ALTER c TYPE ${to}${using ? ` USING ${using}` : ''}`);
          const plain = target.using === undefined || isPlainUsing(target.using, 'c', target.type);
          const effect = plain ? typeChangeEffect(definitionOf(`ALTER TABLE t ALTER c TYPE ${from}`).type, target.type, major) : 'rewrite';
          await withSchemaSessions(url, `type_changes_${index}`, 1, async (session) => {
            for (const timeZone of TIME_ZONES) {
              const measured = await measure(session, timeZone, testCase);
              expect.soft(measured, `TimeZone ${timeZone}`).toBe(expected(effect, timeZone));
            }
          });
        });
      }
    });
  });
});

function expected(effect: TypeChangeEffect, timeZone: (typeof TIME_ZONES)[number]): Measured {
  if (effect === 'rewrite-unless-utc') return timeZone === 'UTC' ? 'indexes-rebuilt' : 'rewrite';
  return effect;
}

/** The new type and USING expression of `ALTER TABLE t ALTER c TYPE …`, as the real grammar parses them. */
function definitionOf(sql: string): { type: ColumnType; using: Node | undefined } {
  const [statement] = linter.lint(sql).statements;
  const command = statement ? nodeAs(statement, 'AlterTableStmt')?.cmds?.[0] : undefined;
  const definition = command && 'AlterTableCmd' in command && command.AlterTableCmd.def && 'ColumnDef' in command.AlterTableCmd.def ? command.AlterTableCmd.def.ColumnDef : undefined;
  const type = definition?.typeName ? columnTypeOf(definition.typeName) : undefined;
  if (!type) throw new Error(`no column type in ${sql}`);
  return { type, using: definition?.raw_default };
}

async function measure(session: pg.Client, timeZone: string, { from, to, value, using }: Case): Promise<Measured> {
  await runAll(session, [
    `SET TimeZone = '${timeZone}'`,
    'DROP TABLE IF EXISTS t',
    `CREATE TABLE t (id int, c ${from})`,
    `INSERT INTO t SELECT g, ${value} FROM generate_series(1, 100) g`,
    'CREATE INDEX t_c_idx ON t (c)',
  ]);
  const before = await relfilenodes(session);
  await session.query(`ALTER TABLE t ALTER COLUMN c TYPE ${to}${using ? ` USING ${using}` : ''}`);
  const after = await relfilenodes(session);
  if (after.t !== before.t) return 'rewrite';
  return after.t_c_idx === before.t_c_idx ? 'none' : 'indexes-rebuilt';
}

/** The files behind the table and its index: a rewrite or rebuild gives them new ones. */
async function relfilenodes(session: pg.Client): Promise<Record<string, number | undefined>> {
  const { rows } = await session.query<{ relname: string; relfilenode: number }>(
    `SELECT relname, relfilenode::int AS relfilenode FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname IN ('t', 't_c_idx')`,
  );
  return Object.fromEntries(rows.map((row) => [row.relname, row.relfilenode]));
}
