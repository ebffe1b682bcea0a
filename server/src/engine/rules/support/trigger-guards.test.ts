import { describe, expect, it } from 'vitest';
import { locksOf } from '../../locks/statement-locks';
import { Linter } from '../../lint';
import { buildStatements } from '../../model/build';
import { schemaAfter } from '../../model/schema/replay';
import type { ParsedStatement } from '../../model/statement';
import { defaultOptions } from '../../options';
import { PostgresParser } from '../../parse/parser';

const parser = await PostgresParser.load();
const linter = await Linter.create();

describe('locksOf: DROP TRIGGER', () => {
  const lockOf = (sql: string) => locksOf(linter.lint(sql).statements[0] as ParsedStatement, 17);

  it('takes ACCESS EXCLUSIVE on the table; with IF EXISTS, only when the trigger exists', () => {
    expect(lockOf('DROP TRIGGER t ON app.orders;')).toEqual([{ relation: { schema: 'app', name: 'orders' }, objectKind: 'table', mode: 'ACCESS EXCLUSIVE', work: 'instant' }]);
    expect(lockOf('DROP TRIGGER IF EXISTS t ON orders;')).toEqual([
      { relation: { schema: undefined, name: 'orders' }, objectKind: 'table', mode: 'ACCESS EXCLUSIVE', work: 'instant', onlyIfTriggerExists: 't' },
    ]);
  });
});

describe('the schema history of a table\'s triggers', () => {
  const triggersOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions())).relations.get('public\0orders')?.triggers;

  it('follows CREATE, DROP and RENAME of triggers on a table the migrations created', () => {
    const created = 'CREATE TABLE orders (id int);\nCREATE TRIGGER a AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();\nCREATE TRIGGER b AFTER UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION f();';
    expect(triggersOf(created)).toEqual(['a', 'b']);
    expect(triggersOf(`${created}\nDROP TRIGGER IF EXISTS a ON orders;\nALTER TRIGGER b ON orders RENAME TO c;`)).toEqual(['c']);
    expect(triggersOf('CREATE TABLE orders (id int);\nDROP TABLE orders;\nCREATE TABLE orders (id int);')).toEqual([]);
  });

  it('does not know them for a table adopted with IF NOT EXISTS, or a partition', () => {
    expect(triggersOf('CREATE TABLE IF NOT EXISTS orders (id int);\nCREATE TRIGGER a AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();')).toBeUndefined();
    expect(triggersOf("CREATE TABLE all_orders (at date) PARTITION BY RANGE (at);\nCREATE TABLE orders PARTITION OF all_orders FOR VALUES FROM ('2020-01-01') TO ('2030-01-01');")).toBeUndefined();
  });
});
