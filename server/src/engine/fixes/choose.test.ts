import { describe, expect, it } from 'vitest';
import type { Finding } from '../findings';
import { Linter } from '../lint';
import type { LintOptions } from '../options';
import { chooseFixes } from './choose';
import { FixVerifier } from './verify';

const linter = await Linter.create();

// A goose migration: moving the index into a new migration (preferred, creates a file, needs review)
// deletes the statement up to the newline that the next statement's lock_timeout fix (safe without
// review) inserts before, so the two fixes touch; DROP COLUMN has no fix.
const SOURCE = '-- +goose Up\nCREATE INDEX orders_note_idx ON orders (note);\nALTER TABLE orders DROP COLUMN note_old;\n';
const OPTIONS: Partial<LintOptions> = { pgVersion: 15, filePath: 'db/migrations/20240131235959_note.sql', listSiblings: () => ['20240131235959_note.sql'] };

const analysis = linter.lint(SOURCE, OPTIONS);
const rules = (findings: readonly Finding[]) => findings.map((finding) => finding.ruleId);
const chosenRules = (chosen: readonly { finding: Finding }[]) => chosen.map(({ finding }) => finding.ruleId);

describe('chooseFixes: the one policy of "fix all" and `lockguard lint --fix`', () => {
  it('the findings this test relies on', () => {
    expect(rules(analysis.findings)).toEqual(['create-index-without-concurrently', 'missing-lock-timeout', 'drop-column']);
  });

  it('--fix: each preferred fix in order, skipping one that touches an earlier one', () => {
    const verified = new FixVerifier(linter, SOURCE, OPTIONS, analysis).findings();
    expect(chosenRules(chooseFixes(verified, { policy: 'preferred', mayCreateFiles: () => true }))).toEqual(['create-index-without-concurrently']);
  });

  it('a fix that may not create its file is not taken, and leaves its text to the fixes after it', () => {
    const verified = new FixVerifier(linter, SOURCE, OPTIONS, analysis).findings();
    expect(chosenRules(chooseFixes(verified, { policy: 'preferred', mayCreateFiles: () => false }))).toEqual(['missing-lock-timeout']);
    expect(chosenRules(chooseFixes(verified, { policy: 'preferred' }))).toEqual(['missing-lock-timeout']);
  });

  it('"fix all": only fixes safe without review, verifying only the findings that have one', () => {
    const verifier = new FixVerifier(linter, SOURCE, OPTIONS, analysis);
    const asked: Finding[] = [];
    const chosen = chooseFixes(analysis.findings, {
      policy: 'auto-applicable',
      verified: (finding) => {
        asked.push(finding);
        return verifier.finding(finding);
      },
    });
    expect(chosenRules(chosen)).toEqual(['missing-lock-timeout']);
    expect(rules(asked)).toEqual(['missing-lock-timeout']);
  });

  it('a fix that fails verification is not taken', () => {
    const failing = (finding: Finding): Finding => ({ ...finding, fixes: [], noFixReason: 'applied, it does not remove this finding' });
    expect(chooseFixes(analysis.findings, { policy: 'auto-applicable', verified: failing })).toEqual([]);
  });
});
