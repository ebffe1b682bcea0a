import { readFileSync } from 'node:fs';
import { splitStatements } from '../../server/src/engine/text/splitter';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus';
import { sqlFiles } from '../helpers/sql-files';
import type { Random } from '../helpers/random';

/** One fuzz input: what it is (to reproduce a failure) and its text. */
export interface FuzzInput {
  name: string;
  text: string;
}


/** Statements that exercise every rule family, used as seeds also where the shared corpus is absent. */
const BUILTIN_SEEDS = [
  'CREATE INDEX orders_customer_id_idx ON orders (customer_id)',
  'CREATE INDEX CONCURRENTLY IF NOT EXISTS "Orders_Idx" ON public.orders USING btree (lower(email)) WHERE deleted_at IS NULL',
  'ALTER TABLE orders ADD COLUMN shipped_at timestamptz DEFAULT now() NOT NULL',
  'ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2) USING total::numeric',
  'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)',
  "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN NEW.x := 'a;b'; RETURN NEW; END $body$",
  'CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT a + 1; END',
  'BEGIN',
  'COMMIT',
  "SET lock_timeout = '2s'",
  'DROP INDEX orders_status_idx',
  'VACUUM FULL orders',
  'REFRESH MATERIALIZED VIEW totals',
  "COMMENT ON TABLE orders IS 'it''s ours'",
  '-- lockguard-ignore create-index-without-concurrently: small table\nCREATE INDEX i ON t (a)',
  "UPDATE orders SET status = E'shipped\\n' WHERE id IN (SELECT id FROM orders LIMIT 1000)",
  "INSERT INTO t VALUES ('🚀 café', $$x$$, U&'\\0041', B'101', X'1F')",
  '\\set ON_ERROR_STOP on',
];

/** Statements from the corpus (every `stride`-th file, in a fixed order) and the built-in seeds. */
export function seedStatements(stride: number): string[] {
  const seeds = [...BUILTIN_SEEDS];
  if (!HAS_CORPUS) return seeds;
  sqlFiles(CORPUS).forEach((file, index) => {
    if (index % stride !== 0) return;
    const text = readFileSync(file, 'utf8');
    for (const source of splitStatements(text)) {
      if (source.end - source.start <= 4_000) seeds.push(text.slice(source.start, source.end));
    }
  });
  return seeds;
}


/** Characters that break lexers: quotes, dollar quotes, comment openers, NUL, lone surrogates, controls. */
const NASTY = ["'", '"', '$$', '$tag$', '$1', '/*', '*/', '--', ';', '(', ')', '[', '\\', 'E\'\\', 'U&"', '\0', '\ud800', '\udc00', '\uffff', '\ufeff', '\u2028', '\r', '\t', '\x07', '🚀', ':name', '{{ .Schema }}', '${x}', 'BEGIN', 'END', 'CASE', 'ATOMIC'];

type Mutation = (text: string, random: Random) => string;

const at = (text: string, random: Random) => random.int(text.length + 1);

const MUTATIONS: Record<string, Mutation> = {
  truncate: (text, random) => text.slice(0, at(text, random)),
  'drop the head': (text, random) => text.slice(at(text, random)),
  'insert nasty': (text, random) => {
    const i = at(text, random);
    return text.slice(0, i) + random.pick(NASTY) + text.slice(i);
  },
  'random code units': (text, random) => {
    const i = at(text, random);
    const junk = Array.from({ length: 1 + random.int(16) }, () => String.fromCharCode(random.int(0x10000))).join('');
    return text.slice(0, i) + junk + text.slice(i);
  },
  'delete a span': (text, random) => {
    const i = at(text, random);
    return text.slice(0, i) + text.slice(i + random.int(40));
  },
  'duplicate a span': (text, random) => {
    const i = at(text, random);
    return text.slice(0, i) + text.slice(i, i + random.int(200)).repeat(1 + random.int(5)) + text.slice(i);
  },
  'remove semicolons': (text) => text.replaceAll(';', ' '),
  'NUL bytes': (text, random) => {
    const i = at(text, random);
    return `${text.slice(0, i)}\0${text.slice(i)}\0`;
  },
};

/** A migration of a few seed statements with one to three mutations applied. */
export function mutatedMigration(random: Random, seeds: readonly string[], id: number): FuzzInput {
  let text = Array.from({ length: 1 + random.int(6) }, () => `${random.pick(seeds)};`).join('\n');
  const applied: string[] = [];
  for (let i = 1 + random.int(3); i > 0; i--) {
    const name = random.pick(Object.keys(MUTATIONS));
    text = MUTATIONS[name]!(text, random);
    applied.push(name);
  }
  return { name: `mutation #${id} (${applied.join(', ')})`, text };
}

const MB = 1024 * 1024;
const NESTING = 10_000;

/** Inputs built to hit limits: huge tokens, deep nesting, unterminated quotes over a whole file. */
export function extremeInputs(): FuzzInput[] {
  return [
    { name: '1 MB identifier', text: `CREATE INDEX ${'i'.repeat(MB)} ON orders (customer_id);` },
    { name: '1 MB quoted identifier', text: `CREATE INDEX "${'q'.repeat(MB)}" ON orders (customer_id);` },
    { name: '1 MB string literal', text: `INSERT INTO t VALUES ('${'s'.repeat(MB)}');\nCREATE INDEX i ON t (a);` },
    { name: `${NESTING} nested parentheses`, text: `SELECT ${'('.repeat(NESTING)}1${')'.repeat(NESTING)};\nCREATE INDEX i ON t (a);` },
    { name: `${NESTING} unclosed parentheses`, text: `CREATE RULE r AS ON INSERT TO t DO ${'('.repeat(NESTING)}SELECT 1;\nCREATE INDEX i ON t (a);` },
    { name: `${NESTING} nested ARRAY[`, text: `SELECT ${'ARRAY['.repeat(NESTING)}1${']'.repeat(NESTING)};` },
    { name: `${NESTING} nested BEGIN in a function body`, text: `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC ${'BEGIN '.repeat(NESTING)}SELECT 1 ${'END '.repeat(NESTING)}END;\nCREATE INDEX i ON t (a);` },
    { name: `${NESTING} nested block comments`, text: `${'/* '.repeat(NESTING)}x${' */'.repeat(NESTING)}\nCREATE INDEX i ON t (a);` },
    { name: `${NESTING} nested subqueries`, text: `SELECT * FROM ${'(SELECT * FROM '.repeat(NESTING)}t${') s'.repeat(NESTING)};` },
    { name: 'unterminated dollar quote over 1 MB', text: `DO $x$ BEGIN ${'PERFORM 1; '.repeat(MB / 11)}\nCREATE INDEX i ON t (a);` },
    { name: 'unterminated quote on every line', text: Array.from({ length: 5_000 }, (_, i) => `SELECT 'a${i};`).join('\n') },
    { name: 'NUL bytes only', text: '\0'.repeat(100_000) },
    { name: 'lone surrogates and BOMs', text: `\ufeff${'\ud800\udc00\udc00\ud800'.repeat(10_000)}CREATE INDEX i ON t (a);` },
    { name: 'one 1 MB line of semicolons', text: ';'.repeat(MB) },
  ];
}

/**
 * A function body never closed: from its first `;` on, every `END;` is a statement of its own (a
 * COMMIT), so 110 KB of text make 10,000 statements. Long run only: the rules that compare every
 * statement with every other one take minutes on it (issue 7's report names them).
 */
export function manyStatementsFromAnUnclosedBody(): FuzzInput {
  return { name: `${NESTING} nested BEGIN … END; in an unclosed function body`, text: `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC ${'BEGIN '.repeat(NESTING)}SELECT 1; ${'END; '.repeat(NESTING)}\nCREATE INDEX i ON t (a);` };
}

/** A 50 MB migration: a few statements around a COPY … FROM stdin data section, as a dump holds. */
export function fiftyMegabyteFile(): FuzzInput {
  const row = '42\tsome customer\t2026-11-25 10:00:00+00\t{"a": [1, 2, 3]}\n';
  const rows = row.repeat(Math.ceil((50 * MB) / row.length));
  return { name: '50 MB file', text: `CREATE TABLE t (id int, name text, at timestamptz, data jsonb);\nCOPY t FROM stdin;\n${rows}\\.\nCREATE INDEX i ON orders (a);\n` };
}
