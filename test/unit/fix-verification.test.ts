import { describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { applyFix } from '../../server/src/engine/fixes/apply';
import { createdFileOptions } from '../../server/src/engine/fixes/created-files';
import { FixVerifier } from '../../server/src/engine/fixes/verify';
import type { Finding } from '../../server/src/engine/findings';
import { Linter } from '../../server/src/engine/lint';
import type { LintOptions } from '../../server/src/engine/options';
import { ALL_RULES } from '../../server/src/engine/rules/registry';
import type { Fix, Rule } from '../../server/src/engine/rules/rule';
import { LineIndex } from '../../server/src/engine/text/positions';
import { toCodeAction } from '../../server/src/lsp/convert';

const linter = await Linter.create();

/** The findings as the CLI and the editor offer them: every fix verified. */
function verifiedFindings(source: string, options: Partial<LintOptions>, using: Linter = linter): Finding[] {
  return new FixVerifier(using, source, options, using.lint(source, options)).findings();
}

const only = (findings: readonly Finding[], ruleId: string): Finding => {
  const matching = findings.filter((finding) => finding.ruleId === ruleId);
  expect(matching).toHaveLength(1);
  return matching[0]!;
};

const at = (path: string, siblings: readonly string[] = []): Partial<LintOptions> => ({ filePath: path, listSiblings: () => siblings });

/** Applies the fix, then lints the fixed file and every migration it creates: their errors. */
function errorsAfter(source: string, options: Partial<LintOptions>, fix: Fix): { file: string[]; created: Record<string, string[]> } {
  const errors = (findings: readonly Finding[]) => findings.filter((finding) => finding.severity === 'error').map((finding) => finding.ruleId);
  const created: Record<string, string[]> = {};
  for (const file of (fix.createFiles ?? []).filter((candidate) => candidate.path.endsWith('.sql'))) {
    created[file.path] = errors(linter.lint(file.text, createdFileOptions(options, fix.createFiles!, file)).findings);
  }
  return { file: errors(linter.lint(applyFix(source, fix), options).findings), created };
}

describe('CONCURRENTLY in a file the runner wraps in a transaction: moved into a new migration', () => {
  it('goose: the next timestamp, with NO TRANSACTION, and the index dropped on the way down', () => {
    const source = '-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\n';
    const options = at('db/migrations/20240131235959_note.sql', ['20240131235959_note.sql', '20240201000000_taken.sql']);
    const finding = only(verifiedFindings(source, options), 'create-index-without-concurrently');
    expect(finding.severity).toBe('error');
    expect(source.slice(finding.range.start, finding.range.end)).toBe('CREATE INDEX');
    expect(finding.fixes).toHaveLength(1);
    const fix = finding.fixes[0]!;
    expect(fix.title).toBe('Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS in a new migration, 20240201000001_create_index_orders_note_idx_orders.sql');
    expect(applyFix(source, fix)).toBe('-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\n');
    expect(fix.createFiles).toEqual([
      {
        // One second later is taken by the next migration: the first free second after it.
        path: '20240201000001_create_index_orders_note_idx_orders.sql',
        text: '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n\n-- +goose Down\nDROP INDEX CONCURRENTLY IF EXISTS orders_note_idx;\n',
      },
    ]);
    expect(errorsAfter(source, options, fix)).toEqual({ file: [], created: { '20240201000001_create_index_orders_note_idx_orders.sql': [] } });
  });

  it('Flyway: a sub-version that sorts before the next migration, with executeInTransaction=false', () => {
    const source = 'ALTER TABLE orders ADD COLUMN note text;\nDROP INDEX orders_old_idx;\n';
    const options = at('src/main/resources/db/migration/V3__note.sql', ['V3__note.sql', 'V4__later.sql']);
    const finding = only(verifiedFindings(source, options), 'drop-index-without-concurrently');
    expect(finding.severity).toBe('error');
    const fix = finding.fixes[0]!;
    expect(fix.title).toBe('Drop the index with DROP INDEX CONCURRENTLY IF EXISTS in a new migration, V3_1__drop_index_orders_old_idx.sql');
    expect(applyFix(source, fix)).toBe('ALTER TABLE orders ADD COLUMN note text;\n');
    expect(fix.createFiles).toEqual([
      { path: 'V3_1__drop_index_orders_old_idx.sql', text: 'DROP INDEX CONCURRENTLY IF EXISTS orders_old_idx;\n' },
      { path: 'V3_1__drop_index_orders_old_idx.sql.conf', text: 'executeInTransaction=false\n' },
    ]);
    expect(errorsAfter(source, options, fix)).toEqual({ file: [], created: { 'V3_1__drop_index_orders_old_idx.sql': [] } });
  });

  it('dbmate: the next version, its section marked transaction:false', () => {
    // Beside another statement: alone in its section, it would stay, under `transaction:false` (rules/fixes/in-place-opt-out.test.ts).
    const source = '-- migrate:up\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\n\n-- migrate:down\nDROP INDEX orders_note_idx;\n';
    const options = at('db/migrations/20240101120000_note.sql', ['20240101120000_note.sql']);
    const fix = only(verifiedFindings(source, options), 'create-index-without-concurrently').fixes[0]!;
    expect(applyFix(source, fix)).toBe('-- migrate:up\nALTER TABLE orders ADD COLUMN note text;\n\n-- migrate:down\nDROP INDEX orders_note_idx;\n');
    expect(fix.createFiles).toEqual([
      {
        path: '20240101120001_create_index_orders_note_idx_orders.sql',
        text: '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS orders_note_idx;\n',
      },
    ]);
    expect(errorsAfter(source, options, fix).created).toEqual({ '20240101120001_create_index_orders_note_idx_orders.sql': [] });
  });

  it('golang-migrate: a multi-statement file gets a single-statement pair of the next version', () => {
    const source = 'ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n';
    const options = at('migrations/000041_note.up.sql', ['000041_note.up.sql', '000041_note.down.sql']);
    const finding = only(verifiedFindings(source, options), 'concurrently-in-transaction');
    expect(finding.severity).toBe('error');
    expect(finding.fixes.map((fix) => [fix.title, fix.createFiles?.map((file) => file.path)])).toEqual([
      ['Move CREATE INDEX CONCURRENTLY in a new migration, 000042_create_index_orders_note_idx_orders.up.sql', ['000042_create_index_orders_note_idx_orders.up.sql', '000042_create_index_orders_note_idx_orders.down.sql']],
    ]);
  });

  it('Liquibase: a changeset of its own with runInTransaction:false, right after the one holding it', () => {
    const source = '--liquibase formatted sql\n--changeset ann:1\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\n--changeset ann:2\nSELECT 1;\n';
    const fix = only(verifiedFindings(source, at('db/changelog.sql')), 'create-index-without-concurrently').fixes[0]!;
    expect(fix.createFiles).toEqual([]);
    expect(applyFix(source, fix)).toBe(
      '--liquibase formatted sql\n--changeset ann:1\nALTER TABLE orders ADD COLUMN note text;\n' +
        '--changeset ann:1-create_index_orders_note_idx_orders runInTransaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n\n' +
        '--changeset ann:2\nSELECT 1;\n',
    );
  });

  it('node-pg-migrate has no per-file way out: no fix, and the finding says what to do', () => {
    const finding = only(verifiedFindings('-- Up Migration\nCREATE INDEX orders_note_idx ON orders (note);\n', at('migrations/1700000000000_note.sql')), 'create-index-without-concurrently');
    expect(finding.fixes).toEqual([]);
    expect(finding.noFixReason).toMatch(/^node-pg-migrate runs this statement in a transaction\. Run it in a migration with `pgm\.noTransaction\(\)`/);
  });
});

describe('NOT VALID + VALIDATE in a file sent as one query', () => {
  it('Prisma: the one-statement file stays one statement; VALIDATE goes to the next migration', () => {
    const source = 'ALTER TABLE "Order" ADD CONSTRAINT positive_total CHECK (total > 0);\n';
    const options = at('prisma/migrations/20240101120000_check/migration.sql', ['20240101120000_check']);
    const finding = only(verifiedFindings(source, options), 'check-without-not-valid');
    expect(finding.severity).toBe('error');
    const fix = finding.fixes[0]!;
    expect(applyFix(source, fix)).toBe('ALTER TABLE "Order" ADD CONSTRAINT positive_total CHECK (total > 0) NOT VALID;\n');
    expect(fix.createFiles).toEqual([{ path: '../20240101120001_alter_table_order_validate_constraint_positive_total/migration.sql', text: 'ALTER TABLE "Order" VALIDATE CONSTRAINT positive_total;\n' }]);
    expect(errorsAfter(source, options, fix)).toEqual({ file: [], created: { '../20240101120001_alter_table_order_validate_constraint_positive_total/migration.sql': [] } });
    // What the issue saw: the VALIDATE added to the same file runs in the ADD's implicit transaction.
    const sameFile = 'ALTER TABLE "Order" ADD CONSTRAINT positive_total CHECK (total > 0) NOT VALID;\nALTER TABLE "Order" VALIDATE CONSTRAINT positive_total;\n';
    expect(linter.lint(sameFile, options).findings.map((found) => found.ruleId)).toContain('validate-in-same-transaction');
  });
});

describe('a fix is offered only when it passes', () => {
  /** A rule whose rewrite of `SELECT 'swap me'` brings a blocking CREATE INDEX into the file. */
  const swapIntoIndex: Rule = {
    id: 'test-swap-into-index',
    severity: 'warning',
    category: 'hygiene',
    docs: { summary: '', why: '', example: { bad: '', good: '' }, instead: '' },
    facts: [],
    fixChecks: [],
    check(statement) {
      if (!statement.text.includes("'swap me'")) return [];
      const swap = { range: statement.range, newText: 'CREATE INDEX orders_note_idx ON orders (note)' };
      const keep = { range: { start: statement.range.end, end: statement.range.end }, newText: ' ' };
      return [
        {
          message: 'swap it',
          fixes: [
            { title: 'Swap it for an index', edits: [swap], preferred: true, autoApplicable: false },
            { title: 'Change nothing that matters', edits: [keep], preferred: false, autoApplicable: false },
          ],
        },
      ];
    },
  };

  it('drops a fix that adds an error, and one that leaves the finding, saying why', async () => {
    const withSwap = await Linter.create([...ALL_RULES, swapIntoIndex]);
    const source = "SELECT 'swap me';\n";
    const finding = only(verifiedFindings(source, {}, withSwap), 'test-swap-into-index');
    expect(finding.fixes).toEqual([]);
    expect(finding.noFixReason).toBe(
      `Lockguard's rewrite "Swap it for an index" is not offered: applied, it leaves the file with a new error (create-index-without-concurrently: CREATE INDEX takes a SHARE lock on orders for the whole build). ` +
        `Lockguard's rewrite "Change nothing that matters" is not offered: applied, it does not remove this finding.`,
    );
  });

  it('keeps a fix that passes untouched', () => {
    const source = 'CREATE INDEX orders_note_idx ON orders (note);\n';
    const finding = only(verifiedFindings(source, {}), 'create-index-without-concurrently');
    expect(finding.fixes.map((fix) => applyFix(source, fix))).toEqual(['CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);\n']);
    expect(finding.noFixReason).toBeUndefined();
  });
});

describe('the editor: a fix that creates a file', () => {
  const source = '-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\n';
  const uri = 'file:///repo/db/migrations/20240101120000_note.sql';
  const fix = only(verifiedFindings(source, at('/repo/db/migrations/20240101120000_note.sql')), 'create-index-without-concurrently').fixes[0]!;
  const diagnostic = {} as Diagnostic;

  it('is a WorkspaceEdit that edits the file and creates the new migration, when the client can create files', () => {
    const action = toCodeAction(fix, uri, diagnostic, new LineIndex(source), true)!;
    const created = 'file:///repo/db/migrations/20240101120001_create_index_orders_note_idx_orders.sql';
    expect(action.edit).toEqual({
      documentChanges: [
        { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } }, newText: '' }] },
        { kind: 'create', uri: created, options: { ignoreIfExists: false, overwrite: false } },
        { textDocument: { uri: created, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: fix.createFiles![0]!.text }] },
      ],
    });
  });

  it('is not offered to a client that cannot create files', () => {
    expect(toCodeAction(fix, uri, diagnostic, new LineIndex(source), false)).toBeUndefined();
  });
});

describe("a file's fixes verified together (the CLI)", () => {
  /** A rule on `SELECT 'n'` statements: its fix swaps the statement for what `rewrite` makes of n. */
  const swapRule = (id: string, matches: RegExp, rewrite: (text: string) => string): Rule => ({
    id,
    severity: 'warning',
    category: 'hygiene',
    docs: { summary: '', why: '', example: { bad: '', good: '' }, instead: '' },
    facts: [],
    fixChecks: [],
    check(statement) {
      if (!matches.test(statement.text)) return [];
      return [{ message: id, fixes: [{ title: `${id} fix`, edits: [{ range: statement.range, newText: rewrite(statement.text) }], preferred: true, autoApplicable: false }] }];
    },
  });
  /** `SELECT 'good n'` becomes `SELECT 'fine n'`; `SELECT 'bad n'` becomes a blocking CREATE INDEX, a new error. */
  const renames = swapRule('test-rename', /'(good|bad) \d+'/, (text) => (text.includes('bad') ? `CREATE INDEX i${/\d+/.exec(text)![0]} ON orders (note)` : text.replace('good', 'fine')));
  /** `SELECT 'seed n'` becomes `SELECT 'grown n'; SELECT 'note'`, which the next rule flags (a warning). */
  const seeds = swapRule('test-seed', /'seed \d+'/, (text) => `${text.replace('seed', 'grown')}; SELECT 'note'`);
  const notes = swapRule('test-note', /^SELECT 'note'$/, () => "SELECT 'noted'");

  /** The linter, counting the analyses of fixed versions. */
  async function countingLinter(rules: Rule[]): Promise<{ linter: Linter; analyses: () => number }> {
    const real = await Linter.create([...ALL_RULES, ...rules]);
    let analyses = 0;
    const counting = Object.create(real) as Linter;
    counting.lintIncrementally = (...args) => {
      analyses++;
      return real.lintIncrementally(...args);
    };
    return { linter: counting, analyses: () => analyses };
  }

  /** Each finding's fixes verified alone, as the editor verifies them. */
  const verdictsAlone = (using: Linter, source: string) => {
    const analysis = using.lint(source, {});
    const verifier = new FixVerifier(using, source, {}, analysis);
    return analysis.findings.map((finding) => verifier.finding(finding));
  };
  const summary = (findings: readonly Finding[]) => findings.map((finding) => [finding.ruleId, finding.fixes.length, finding.noFixReason ?? '']);

  it('tries alone only the fixes a failure is laid at, and gets the verdicts each gets alone', async () => {
    const { linter: using, analyses } = await countingLinter([renames]);
    const source = Array.from({ length: 40 }, (_, n) => `SELECT '${n % 13 === 5 ? 'bad' : 'good'} ${n}';\n`).join('');
    const together = new FixVerifier(using, source, {}, using.lint(source, {})).findings().filter((finding) => finding.ruleId === 'test-rename');
    // One analysis for the fixed versions to build on, one of all 40 fixes, the 3 failing ones alone, the 37 others again.
    expect(analyses()).toBe(6);
    expect(together.filter((finding) => finding.fixes.length === 0).map((finding) => source.slice(finding.range.start, finding.range.end))).toEqual(["SELECT 'bad 5'", "SELECT 'bad 18'", "SELECT 'bad 31'"]);
    expect(together.find((finding) => finding.fixes.length === 0)!.noFixReason).toMatch(/^Lockguard's rewrite "test-rename fix" is not offered: applied, it leaves the file with a new error \(create-index-without-concurrently:/);
    expect(summary(together)).toEqual(summary(verdictsAlone(using, source).filter((finding) => finding.ruleId === 'test-rename')));
  });

  it("keeps a fix that only adds another fixed rule's finding, trying it apart from that rule's fixes", async () => {
    const { linter: using, analyses } = await countingLinter([seeds, notes]);
    const source = Array.from({ length: 12 }, (_, n) => `SELECT '${n % 2 === 0 ? 'seed' : 'note'}${n % 2 === 0 ? ` ${n}` : ''}';\n`).join('');
    const together = new FixVerifier(using, source, {}, using.lint(source, {})).findings();
    // The seeds' notes leave test-note with as many findings as before: the seeds go apart, the notes' fixes again together, and both pass.
    expect(analyses()).toBe(4);
    expect(together.every((finding) => finding.fixes.length === 1)).toBe(true);
    expect(summary(together)).toEqual(summary(verdictsAlone(using, source)));
  });
});
