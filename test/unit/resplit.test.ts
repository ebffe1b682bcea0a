/**
 * Re-splitting after an edit must give exactly the split of the whole new text. Checked on chains of
 * seeded random edits (the kinds that move statement boundaries: `;`, quotes, dollar quotes, comment
 * openers and closers, BEGIN ATOMIC bodies, psql meta-commands, deletions across statements) over
 * hand-written files and a sample of the shared corpus (../shared/corpus; skipped when absent).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus';
import { Random } from '../helpers/random';
import { randomEdit, type EditShape } from '../helpers/random-edit';
import { sqlFiles } from '../helpers/sql-files';
import { resplitFile, splitFile, type SplitFile, type StatementSource } from '../../server/src/engine/text/splitter';


/** Insertions that can open or close something that moves statement boundaries; deletions, possibly across statements. */
const EDITS: EditShape = {
  insertions: [';', "'", '"', '$$', '$fn$', '/*', '*/', '--', '\n', ' ', 'x', '(', ')', 'END', 'BEGIN ATOMIC ', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql ', '\n\\set x 1\n', "E'\\'", 'é', '😀', ';\n'],
  insertBelow: 0.55,
  shortDeletionBelow: 0.85,
  longestCut: 200,
};

/** A source's fields as a plain object (sources below an edit are `MovedSource`s, whose tokens are a getter). */
const plain = ({ start, end, terminator, isMetaCommand, tokens }: StatementSource) => ({ start, end, terminator, isMetaCommand, tokens: tokens.map((token) => ({ ...token })) });

/** Applies `edits` random edits one after another, re-splitting from the previous split each time. */
function checkEditChain(text: string, seed: number, edits: number): void {
  const random = new Random(seed);
  let previous: SplitFile = splitFile(text);
  let current = text;
  for (let i = 0; i < edits; i++) {
    current = randomEdit(current, random, EDITS);
    const resplit = resplitFile(previous, current);
    const whole = splitFile(current);
    expect(resplit.sources.map(plain), `edit ${i} of seed ${seed}`).toEqual(whole.sources.map(plain));
    expect(resplit.resplittable).toBe(whole.resplittable);
    previous = resplit;
  }
}

const HAND_WRITTEN = [
  'CREATE TABLE t (id int);\nCREATE INDEX i ON t (id);\n-- note\nALTER TABLE t ADD COLUMN c text;\nSELECT 1;\n',
  "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\nSELECT 'a;b';\nSELECT $$x;y$$;\n",
  'SELECT 1;\n\\set ON_ERROR_STOP on\nSELECT 2; /* a; /* nested; */ b */ SELECT 3;\nCREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);\n',
  "DO $body$ BEGIN PERFORM 1; END $body$;\nSELECT E'it\\'s;';\nSELECT \"weird;name\" FROM t;\nUPDATE t SET a = 1 WHERE b = 'x\n",
];

describe('resplitFile', () => {
  it('gives the split of the whole text after every edit of hand-written files', () => {
    HAND_WRITTEN.forEach((text, i) => {
      for (let seed = 1; seed <= 40; seed++) checkEditChain(text, seed * 100 + i, 25);
    });
  });

  it('keeps the statements around the edit: those before as they were, those after moved', () => {
    const text = 'SELECT 1;\nSELECT 2;\nSELECT 3;\n';
    const previous = splitFile(text);
    const edited = resplitFile(previous, text.replace('SELECT 2', 'SELECT 22'));
    expect(edited.sources[0]).toBe(previous.sources[0]);
    expect(edited.sources[2]!.start).toBe(previous.sources[2]!.start + 1);
  });

  it.skipIf(!HAS_CORPUS)('gives the split of the whole text after every edit of corpus files', () => {
    const files = sqlFiles(CORPUS).filter((_, i) => i % 10 === 0);
    expect(files.length).toBeGreaterThan(100);
    files.forEach((file, i) => checkEditChain(readFileSync(file, "utf8"), i + 1, 20));
  });
});
