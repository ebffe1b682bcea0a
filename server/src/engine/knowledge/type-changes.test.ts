import type { Node } from '@pgsql/types';
import { describe, expect, it } from 'vitest';
import { Linter } from '../lint';
import { nodeAs } from '../model/statement';
import { cheapSourcesOf, columnTypeOf, displayType, isPlainUsing, timeZoneTwinOf, typeChangeEffect, type ColumnType } from './type-changes';

const linter = await Linter.create();

describe('columnTypeOf', () => {
  it.each([
    ['varchar(20)', { name: 'varchar', modifiers: [20], array: false }],
    ['character varying', { name: 'varchar', modifiers: [], array: false }],
    ['numeric(10,2)', { name: 'numeric', modifiers: [10, 2], array: false }],
    ['numeric(10,0)', { name: 'numeric', modifiers: [10, 0], array: false }],
    ['decimal(10)', { name: 'numeric', modifiers: [10], array: false }],
    ['timestamp with time zone', { name: 'timestamptz', modifiers: [], array: false }],
    ['timestamptz(3)', { name: 'timestamptz', modifiers: [3], array: false }],
    ['integer', { name: 'int4', modifiers: [], array: false }],
    ['int8', { name: 'int8', modifiers: [], array: false }],
    ['text[]', { name: 'text', modifiers: [], array: true }],
    ['public.citext', { name: 'citext', modifiers: [], array: false }],
  ])('%s', (type, expected) => {
    expect(typeOf(type)).toEqual(expected);
  });

  it('shows types as a user writes them', () => {
    expect(['varchar(20)', 'numeric(10,2)[]', 'char(5)', 'timestamptz'].map((type) => displayType(typeOf(type)))).toEqual([
      'varchar(20)',
      'numeric(10,2)[]',
      'char(5)',
      'timestamptz',
    ]);
  });
});

describe('typeChangeEffect (each verdict measured by relfilenode in test/postgres/type-changes.test.ts)', () => {
  it.each([
    ['varchar(10)', 'varchar(20)', 'none'],
    ['varchar(20)', 'varchar(10)', 'rewrite'],
    ['varchar(10)', 'text', 'none'],
    ['text', 'varchar', 'none'],
    ['text', 'varchar(64)', 'rewrite'],
    ['numeric(10,2)', 'numeric(12,2)', 'none'],
    ['numeric(10,2)', 'numeric(12,3)', 'rewrite'],
    ['numeric', 'numeric(10,2)', 'rewrite'],
    ['cidr', 'inet', 'none'],
    ['inet', 'cidr', 'rewrite'],
    ['bit(8)', 'varbit', 'indexes-rebuilt'],
    ['timestamp(3)', 'timestamp', 'none'],
    ['timestamp', 'timestamp(3)', 'rewrite'],
    ['int', 'bigint', 'rewrite'],
    ['varchar(10)[]', 'varchar(20)[]', 'rewrite'],
  ])('%s → %s: %s', (from, to, effect) => {
    expect(typeChangeEffect(typeOf(from), typeOf(to), 15)).toBe(effect);
  });

  it('timestamp ↔ timestamptz rewrites unless the TimeZone is UTC, from PostgreSQL 12 on', () => {
    expect(typeChangeEffect(typeOf('timestamp'), typeOf('timestamptz'), 12)).toBe('rewrite-unless-utc');
    expect(typeChangeEffect(typeOf('timestamptz'), typeOf('timestamp'), 18)).toBe('rewrite-unless-utc');
    expect(typeChangeEffect(typeOf('timestamp'), typeOf('timestamptz'), 11)).toBe('rewrite');
    expect(typeChangeEffect(typeOf('timestamp'), typeOf('timestamptz(3)'), 15)).toBe('rewrite');
  });
});

it('knows the time-zone twin a change to timestamp(tz) most likely comes from', () => {
  expect(['timestamp', 'timestamptz(3)', 'timestamp[]', 'time'].map((type) => timeZoneTwinOf(typeOf(type)))).toEqual(['timestamptz', 'timestamp', undefined, undefined]);
});

describe('isPlainUsing (measured in test/postgres/type-changes.test.ts)', () => {
  it.each([
    ['c', true],
    ['"c"', true],
    ['c::varchar(20)', true],
    ['CAST(c AS varchar(20))', true],
    ['c::varchar(30)', false],
    ['c::text::varchar(20)', false],
    ['lower(c)', false],
    ['t.c', false],
    ['other', false],
  ])('USING %s', (using, plain) => {
    const { type, using: expression } = definitionOf(`ALTER TABLE t ALTER c TYPE varchar(20) USING ${using}`);
    expect(isPlainUsing(expression!, 'c', type)).toBe(plain);
  });
});

describe('cheapSourcesOf', () => {
  it.each([
    ['varchar(255)', ['varchar(n) with n ≤ 255']],
    ['varchar', ['varchar(n)', 'text']],
    ['text', ['varchar', 'varchar(n)']],
    ['numeric(12,2)', ['numeric(p,2) with p ≤ 12']],
    ['numeric', ['numeric(p,s)']],
    ['inet', ['cidr']],
    ['timestamptz', ['timestamptz(p)']],
    ['timestamp(3)', ['timestamp(p) with p ≤ 3']],
    ['bigint', []],
    ['jsonb', []],
    ['text[]', []],
  ])('%s: %j', (to, sources) => {
    expect(cheapSourcesOf(typeOf(to))).toEqual(sources);
  });

  it('lists only sources typeChangeEffect agrees are catalog-only', () => {
    const pairs: [string, string][] = [
      ['varchar(200)', 'varchar(255)'],
      ['varchar(10)', 'varchar'],
      ['text', 'varchar'],
      ['varchar', 'text'],
      ['numeric(10,2)', 'numeric(12,2)'],
      ['cidr', 'inet'],
      ['timestamptz(3)', 'timestamptz'],
    ];
    for (const [from, to] of pairs) expect(typeChangeEffect(typeOf(from), typeOf(to), 15), `${from} → ${to}`).toBe('none');
  });
});

/** The type of `ALTER TABLE t ALTER c TYPE <type>`, parsed by the real grammar (which maps `character varying`, `bigint`, …). */
const typeOf = (type: string): ColumnType => definitionOf(`ALTER TABLE t ALTER c TYPE ${type}`).type;

function definitionOf(sql: string): { type: ColumnType; using: Node | undefined } {
  const [statement] = linter.lint(sql).statements;
  const command = statement ? nodeAs(statement, 'AlterTableStmt')?.cmds?.[0] : undefined;
  const def = command && 'AlterTableCmd' in command ? command.AlterTableCmd.def : undefined;
  const definition = def && 'ColumnDef' in def ? def.ColumnDef : undefined;
  const type = definition?.typeName ? columnTypeOf(definition.typeName) : undefined;
  if (!type) throw new Error(`no column type in ${sql}`);
  return { type, using: definition?.raw_default };
}
