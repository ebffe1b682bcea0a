/**
 * The schema replay of an edited file continues the replay of the version before the edit
 * (`continuedReplay`): it must answer every question as a replay from scratch does. Checked on
 * chains of seeded random edits that create, alter, rename and drop what later statements ask about.
 */
import { describe, expect, it } from 'vitest';
import { buildFile, type BuiltFile } from '../../server/src/engine/model/build';
import { continuedReplay, schemaHistory, type ReplayDetail, type SchemaReplay } from '../../server/src/engine/model/schema/replay';
import { defaultOptions } from '../../server/src/engine/options';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { resplitFile, splitFile } from '../../server/src/engine/text/splitter';
import { Random } from '../helpers/random';
import { randomEdit, type EditShape } from '../helpers/random-edit';

const parser = await PostgresParser.load();
const options = { ...defaultOptions(), filePath: 'migrations/003_orders.sql' };

const MIGRATION = [
  'CREATE TABLE customers (id bigint PRIMARY KEY);',
  'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint) PARTITION BY RANGE (id);',
  'CREATE INDEX orders_customer_idx ON orders (customer_id);',
  "SET search_path = billing, public;",
  'CREATE FUNCTION now_utc() RETURNS timestamptz LANGUAGE sql STABLE AS $$ SELECT now() $$;',
  'ALTER TABLE orders ADD COLUMN note text NOT NULL;',
  'ALTER TABLE orders RENAME TO purchases;',
  'CREATE DOMAIN positive AS int CHECK (VALUE > 0);',
  'DROP TABLE customers;',
].join('\n');

const EDITS: EditShape = {
  insertions: [
    'x',
    ';',
    '\n',
    'DROP TABLE orders;\n',
    'CREATE TABLE orders (id int);\n',
    'ALTER TABLE orders ADD COLUMN total numeric;\n',
    'CREATE INDEX purchases_note_idx ON purchases (note);\n',
    "SET search_path = public;\n",
    '-- +goose Down\n',
  ],
  insertBelow: 0.6,
  shortDeletionBelow: 0.9,
  longestCut: 80,
};

const NAMES = ['customers', 'orders', 'purchases', 'orders_customer_idx', 'purchases_note_idx', 'now_utc', 'positive'].map((name) => ({ schema: undefined, name }));

/** Every answer of the catalogue about the names the migration uses, before every statement and at the end. */
function answers(catalogue: SchemaReplay['catalogue'], count: number) {
  return Array.from({ length: count + 1 }, (_, i) => {
    const view = catalogue.before(i);
    return NAMES.map((name) => [view.table(name), view.index(name), view.function(name), view.domain(name), view.resolve(name)]);
  });
}

describe('continued schema replay', () => {
  for (const detail of ['everything', 'relations'] as ReplayDetail[]) {
    it(`answers as a replay from scratch after every edit (${detail})`, () => {
      for (let seed = 1; seed <= 15; seed++) {
        const random = new Random(seed);
        let text = MIGRATION;
        let built: BuiltFile = buildFile(splitFile(text), parser, options);
        let replay = continuedReplay(built.statements, undefined, detail, undefined);
        for (let edit = 0; edit < 12; edit++) {
          text = randomEdit(text, random, EDITS);
          built = buildFile(resplitFile(built.split, text), parser, options, built);
          replay = continuedReplay(built.statements, undefined, detail, replay);
          const fresh = schemaHistory(built.statements, undefined, detail);
          expect(answers(replay.catalogue, built.statements.length), `edit ${edit} of seed ${seed}`).toEqual(answers(fresh, built.statements.length));
          expect(replay.catalogue.snapshot()).toEqual(fresh.snapshot());
        }
      }
    });
  }

  it('replays only from the first statement the edit changed', () => {
    const first = buildFile(splitFile(MIGRATION), parser, options);
    const replay = continuedReplay(first.statements, undefined, 'everything', undefined);
    const edited = MIGRATION.replace('DROP TABLE customers;', 'DROP TABLE customerz;');
    const second = buildFile(resplitFile(first.split, edited), parser, options, first);
    const continued = continuedReplay(second.statements, undefined, 'everything', replay);
    // The versions made above the edit are taken over: the same objects.
    const ordersBefore = (catalogue: SchemaReplay['catalogue']) => catalogue.before(3).table({ schema: undefined, name: 'orders' });
    expect(ordersBefore(continued.catalogue)).toBe(ordersBefore(replay.catalogue));
    expect(continued.catalogue.before(second.statements.length).table({ schema: undefined, name: 'customers' })).toBeDefined();
  });
});
