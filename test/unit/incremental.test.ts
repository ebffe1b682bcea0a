/**
 * Re-analysing after an edit, from the previous analysis (`lintIncrementally`), must find exactly
 * what a fresh analysis of the new text (`lint`) finds: the same findings (messages, ranges, fixes,
 * related places, locks) and the same statements. Checked on chains of seeded random edits over
 * hand-written migrations whose findings depend on the rest of the file (tables created earlier,
 * transactions, timeouts) and over a sample of the shared corpus (../shared/corpus; skipped when absent).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus';
import { Random } from '../helpers/random';
import { randomEdit, type EditShape } from '../helpers/random-edit';
import { sqlFiles } from '../helpers/sql-files';
import { Linter, type Analysis } from '../../server/src/engine/lint';


/** Edits that change what other statements depend on: a created table, a transaction, a timeout, a statement boundary. */
const EDITS: EditShape = {
  insertions: [
    'x',
    ' ',
    '\n',
    ';',
    "'",
    '--',
    'BEGIN;\n',
    'COMMIT;\n',
    "SET lock_timeout = '2s';\n",
    'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n',
    'CREATE INDEX orders_customer_idx ON orders (customer_id);\n',
    'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n',
    'DROP TABLE orders;\n',
    '-- lockguard-ignore create-index-without-concurrently: small table\n',
  ],
  insertBelow: 0.6,
  shortDeletionBelow: 0.9,
  longestCut: 120,
};

/** What an analysis shows, without the reuse state. */
const shown = (analysis: Analysis) => ({
  findings: analysis.findings,
  statements: analysis.statements.map(({ kind, index, range, text, terminator, transaction, tokens }) => ({ kind, index, range, text, terminator, transaction, tokens: [...tokens] })),
});

let linter: Linter;
beforeAll(async () => {
  linter = await Linter.create();
});

function checkEditChain(text: string, seed: number, edits: number, filePath: string): void {
  const options = { filePath };
  const random = new Random(seed);
  let previous = linter.lintIncrementally(text, options, undefined);
  let current = text;
  for (let i = 0; i < edits; i++) {
    current = randomEdit(current, random, EDITS);
    const incremental = linter.lintIncrementally(current, options, previous);
    expect(shown(incremental), `edit ${i} of seed ${seed} on ${filePath}`).toEqual(shown(linter.lint(current, options)));
    previous = incremental;
  }
}

const HAND_WRITTEN = [
  [
    'CREATE TABLE customers (id bigint PRIMARY KEY);',
    'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);',
    'CREATE INDEX orders_customer_idx ON orders (customer_id);',
    'ALTER TABLE invoices ADD COLUMN note text NOT NULL;',
    'CREATE INDEX invoices_note_idx ON invoices (note);',
    'BEGIN;',
    'ALTER TABLE invoices ADD CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
    'UPDATE invoices SET note = \'\';',
    'COMMIT;',
    'DROP INDEX invoices_old_idx;',
  ].join('\n'),
  [
    "SET lock_timeout = '5s';",
    'ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(20, 2);',
    'CREATE INDEX CONCURRENTLY accounts_balance_idx ON accounts (balance);',
    '-- lockguard-ignore drop-column: nothing reads it since v41',
    'ALTER TABLE accounts DROP COLUMN legacy;',
    'ALTER TABLE accounts RENAME COLUMN owner TO owner_id;',
    'CREATE TYPE mood AS ENUM (\'sad\');',
    "ALTER TYPE mood ADD VALUE 'happy';",
    "SELECT 'happy'::mood;",
  ].join('\n'),
];

/**
 * Files that run in one transaction (Flyway), in a goose section, or in BEGIN … COMMIT blocks: findings that depend
 * on earlier statements of the transaction (locks held, tables emptied, enum values added, an index used later).
 */
const IN_TRANSACTIONS: readonly { path: string; text: string }[] = [
  {
    path: 'db/migration/V42__change.sql',
    text: [
      'ALTER TABLE orders ADD COLUMN note text;',
      'CREATE INDEX orders_note_idx ON orders (note);',
      "UPDATE orders SET note = '';",
      'TRUNCATE invoices;',
      'ALTER TABLE invoices ADD COLUMN total bigint NOT NULL;',
      "ALTER TYPE mood ADD VALUE 'happy';",
      "INSERT INTO moods (m) VALUES ('happy');",
      'CREATE INDEX invoices_total_idx ON invoices (total);',
      'COMMENT ON INDEX invoices_total_idx IS \'totals\';',
      'CREATE INDEX customers_name_idx ON customers (name);',
      "SET lock_timeout = '2s';",
      'ALTER TABLE customers ADD COLUMN vip boolean;',
    ].join('\n'),
  },
  {
    path: 'migrations/V7__goose.sql',
    text: [
      '-- +goose Up',
      'ALTER TABLE orders ADD COLUMN note text;',
      'CREATE INDEX orders_note_idx ON orders (note);',
      "UPDATE orders SET note = '';",
      'CREATE INDEX customers_name_idx ON customers (name);',
      '-- +goose Down',
      'DROP INDEX orders_note_idx;',
    ].join('\n'),
  },
  {
    path: 'migrations/003_blocks.sql',
    text: [
      'BEGIN;',
      'ALTER TABLE orders ADD COLUMN note text;',
      'CREATE INDEX orders_note_idx ON orders (note);',
      "UPDATE orders SET note = '';",
      'COMMIT;',
      'BEGIN;',
      'CREATE INDEX customers_name_idx ON customers (name);',
      'ALTER TABLE customers ADD COLUMN vip boolean;',
      'CREATE INDEX customers_vip_idx ON customers (vip);',
      'COMMIT;',
    ].join('\n'),
  },
];

describe('incremental re-analysis', () => {
  it('finds what a fresh analysis finds, after every edit of migrations that run in transactions', () => {
    IN_TRANSACTIONS.forEach(({ path, text }, i) => {
      for (let seed = 1; seed <= 25; seed++) checkEditChain(text, seed * 10 + i, 15, path);
    });
  });


  it('finds what a fresh analysis finds, after every edit of hand-written migrations', () => {
    HAND_WRITTEN.forEach((text, i) => {
      for (let seed = 1; seed <= 25; seed++) checkEditChain(text, seed * 10 + i, 15, `migrations/00${i}_change.sql`);
    });
  });

  it('takes over the statements around the edit', () => {
    const text = 'CREATE INDEX a_idx ON a (x);\nCREATE INDEX b_idx ON b (x);\nCREATE INDEX c_idx ON c (x);\n';
    const first = linter.lintIncrementally(text, {}, undefined);
    const second = linter.lintIncrementally(text.replace('b (x)', 'b (xy)'), {}, first);
    expect(second.statements[0]).toBe(first.statements[0]);
    expect(second.statements[1]).not.toBe(first.statements[1]);
    expect(second.statements[2]!.range.start).toBe(first.statements[2]!.range.start + 1);
    expect(second.findings.filter((finding) => finding.ruleId === 'create-index-without-concurrently')).toHaveLength(3);
  });

  it.skipIf(!HAS_CORPUS)('finds what a fresh analysis finds, after every edit of corpus migrations', () => {
    const files = sqlFiles(CORPUS).filter((_, i) => i % 40 === 0);
    expect(files.length).toBeGreaterThan(50);
    files.forEach((file, i) => checkEditChain(readFileSync(file, 'utf8'), i + 1, 6, file));
  });
});
