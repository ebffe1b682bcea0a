import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint } from '../../../../../test/helpers/lint';
import { buildStatements } from '../../model/build';
import { schemaAfter } from '../../model/schema/replay';
import { defaultOptions, type LintOptions } from '../../options';
import { PostgresParser } from '../../parse/parser';
import type { Fix } from '../rule';

const ordersSchema = schemaAfter(buildStatements('CREATE TABLE orders (id bigserial PRIMARY KEY, status text);', await PostgresParser.load(), defaultOptions()));

/** A migration's folder: the names listSiblings gives and the texts readSibling reads (relative to the migration's folder). */
function folder(filePath: string, files: Record<string, string> = {}): Partial<LintOptions> {
  return { filePath, listSiblings: (relative = '.') => (relative === '.' ? Object.keys(files) : []), readSibling: (name) => files[name] };
}

/** The migration with the fix applied, its created files beside it: the errors Lockguard still finds. */
function errorsAfter(source: string, fix: Fix, options: Partial<LintOptions>): string[] {
  const created = Object.fromEntries((fix.createFiles ?? []).map((file) => [file.path, file.text]));
  const readSibling = (name: string) => created[name] ?? options.readSibling?.(name);
  return lint(applyFix(source, fix), { ...options, readSibling })
    .filter((finding) => finding.severity === 'error')
    .map((finding) => finding.ruleId);
}

describe("the only statement of its section stays, and the section runs outside the runner's transaction", () => {
  // crates.io 2024-03-05-120032_add-crate-downloads-index: the file's one statement (review 4, #19/#20).
  const index = 'create index concurrently if not exists crate_downloads_idx\n    on crate_downloads (downloads desc, crate_id desc);\n';
  const diesel = (files: Record<string, string> = {}) => folder('migrations/2024-03-05-120032_add-crate-downloads-index/up.sql', { 'up.sql': index, 'down.sql': '', ...files });

  it('diesel: metadata.toml with run_in_transaction = false, never an empty up.sql (diesel refuses to run one)', () => {
    const [finding] = findingsOf('concurrently-in-transaction', index, diesel());
    const fix = finding!.fixes[0]!;
    expect(fix.title).toBe('Run the migration outside a transaction (`run_in_transaction = false` in its metadata.toml)');
    expect(fix.edits).toEqual([]);
    expect(fix.createFiles).toEqual([{ path: 'metadata.toml', text: 'run_in_transaction = false\n' }]);
    expect(errorsAfter(index, fix, diesel())).toEqual([]);
  });

  it('diesel: a metadata.toml already there is not overwritten; the finding says what to add', () => {
    const [finding] = findingsOf('concurrently-in-transaction', index, diesel({ 'metadata.toml': '# settings\n' }));
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toBe(
      'diesel runs this statement in a transaction, and it is the only statement of its migration: moved into a new one, it would leave this one empty. ' +
        "Add `run_in_transaction = false` to this migration's metadata.toml.",
    );
  });

  it('diesel: a statement beside others still moves into a new migration', () => {
    const source = `ALTER TABLE crate_downloads ADD COLUMN note text;\n${index}`;
    const [finding] = findingsOf('concurrently-in-transaction', source, diesel());
    expect(finding!.fixes[0]!.createFiles!.map((file) => file.path)).toEqual([
      '../2024-03-05-120033_create_index_crate_downloads_idx_crate_downloads/up.sql',
      '../2024-03-05-120033_create_index_crate_downloads_idx_crate_downloads/down.sql',
      '../2024-03-05-120033_create_index_crate_downloads_idx_crate_downloads/metadata.toml',
    ]);
  });

  it.each([
    ['goose', '-- +goose Up\nCREATE INDEX a_idx ON a (b);\n-- +goose Down\nDROP INDEX a_idx;\n', 'db/migrations/20240101000000_x.sql', {}, '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_idx ON a (b);\n'],
    ['sql-migrate', '-- +migrate Up\nCREATE INDEX a_idx ON a (b);\n-- +migrate Down\nDROP INDEX a_idx;\n', 'migrations/20240101000000-x.sql', {}, '-- +migrate Up notransaction\nCREATE INDEX CONCURRENTLY'],
    ['dbmate', '-- migrate:up\nCREATE INDEX a_idx ON a (b);\n\n-- migrate:down\nDROP INDEX a_idx;\n', 'db/migrations/20240101000000_x.sql', {}, '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY'],
    ['Liquibase', '--liquibase formatted sql\n--changeset me:1\nCREATE INDEX a_idx ON a (b);\n', 'changelog/x.sql', {}, '--changeset me:1 runInTransaction:false\nCREATE INDEX CONCURRENTLY'],
    ['Atlas', 'CREATE INDEX a_idx ON a (b);\n', 'migrations/20240101000000_x.sql', { 'atlas.sum': 'h1:x\n' }, '-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY'],
    ['postgres-migrations', 'CREATE INDEX a_idx ON a (b);\n', 'migrations/0002-x.sql', { '0001-a.sql': '-- postgres-migrations disable-transaction\nSELECT 1;\n', '0002-x.sql': '' }, '-- postgres-migrations disable-transaction\nCREATE INDEX CONCURRENTLY'],
    ['Flyway', 'CREATE INDEX a_idx ON a (b);\n', 'db/migration/V3__x.sql', {}, 'CREATE INDEX CONCURRENTLY'],
  ])("%s: CREATE INDEX rewritten with CONCURRENTLY where it stands, under the framework's own switch", (_name, source, filePath, files, fixed) => {
    const options = folder(filePath, files);
    const [finding] = findingsOf('create-index-without-concurrently', source, options);
    const fix = finding!.fixes[0]!;
    expect(fix.title).toMatch(/^Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS, and run the migration outside a transaction \(/);
    expect(applyFix(source, fix)).toContain(fixed);
    expect(errorsAfter(source, fix, options)).toEqual([]);
  });

  it('pop has no switch in the file (only its name): no fix, and why, rather than an empty migration', () => {
    const [finding] = findingsOf('create-index-without-concurrently', 'CREATE INDEX a_idx ON a (b);\n', folder('migrations/20240101000000000000_x.postgres.up.sql'));
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(/^pop runs this statement in a transaction, and it is the only statement of its migration: moved into a new one, it would leave this one empty\. /);
  });

  it('a batched backfill: goose gets the block between StatementBegin/End under NO TRANSACTION; diesel a metadata.toml', () => {
    const update = "UPDATE orders SET status = 'new';\n";
    const priorSchema = ordersSchema;
    const goose = { ...folder('db/migrations/20240101000000_x.sql'), priorSchema };
    const gooseSource = `-- +goose Up\n${update}-- +goose Down\nSELECT 1;\n`;
    const gooseFix = findingsOf('backfill-in-migration', gooseSource, goose)[0]!.fixes[0]!;
    const fixed = applyFix(gooseSource, gooseFix);
    expect(fixed.startsWith('-- +goose NO TRANSACTION\n-- +goose Up\n-- +goose StatementBegin\nDO $$')).toBe(true);
    expect(fixed.endsWith('$$;\n-- +goose StatementEnd\n-- +goose Down\nSELECT 1;\n')).toBe(true);
    expect(errorsAfter(gooseSource, gooseFix, goose)).toEqual([]);
    const diesel = { ...folder('migrations/2024-01-01-000000_x/up.sql'), priorSchema };
    const dieselFix = findingsOf('backfill-in-migration', update, diesel)[0]!.fixes[0]!;
    expect(dieselFix.createFiles).toEqual([{ path: 'metadata.toml', text: 'run_in_transaction = false\n' }]);
    expect(applyFix(update, dieselFix).startsWith('DO $$')).toBe(true);
    expect(errorsAfter(update, dieselFix, diesel)).toEqual([]);
    const liquibase = { ...folder('db/changelog.sql'), priorSchema };
    const changeset = `--liquibase formatted sql\n--changeset me:1\n${update}`;
    const liquibaseFix = findingsOf('backfill-in-migration', changeset, liquibase)[0]!.fixes[0]!;
    // Liquibase would split the DO block on its semicolons.
    expect(applyFix(changeset, liquibaseFix).startsWith('--liquibase formatted sql\n--changeset me:1 runInTransaction:false splitStatements:false\nDO $$')).toBe(true);
    expect(errorsAfter(changeset, liquibaseFix, liquibase)).toEqual([]);
  });
});
