import { describe, expect, it } from 'vitest';
import { findingsOf } from '../../../../../test/helpers/lint';
import type { LintOptions } from '../../options';

/** A migration folder: the names listSiblings gives, and the texts readSibling reads (relative to the linted file's folder). */
function folder(filePath: string, files: Record<string, string>): Partial<LintOptions> {
  return {
    filePath,
    listSiblings: (relative = '.') => (relative === '.' ? Object.keys(files) : relative === '..' ? [...new Set(Object.keys(files).flatMap((path) => /^\.\.\/([^/]+)\//.exec(path)?.[1] ?? []))] : Object.keys(files).flatMap((path) => (path.startsWith(`${relative}/`) ? [path.slice(relative.length + 1)] : []))),
    readSibling: (name) => files[name],
  };
}

describe('a statement moved into a new migration never jumps over a later migration that uses what it changes', () => {
  // ory/hydra's 20220210000001000020_nid drops three indexes the next migration of the set creates again.
  const hydra = (next: string) =>
    folder('persistence/sql/migrations/20220210000001000020_nid.postgres.up.sql', {
      '20220210000001000020_nid.postgres.up.sql': '',
      '20220210000001000020_nid.down.sql': '',
      '20220210000001000021_nid.postgres.up.sql': next,
      '20220210000001000021_nid.down.sql': 'DROP INDEX hydra_oauth2_code_client_id_idx;\n',
      '20220210000001000022_nid.postgres.up.sql': 'ALTER TABLE hydra_client ADD COLUMN nid uuid;\n',
    });
  // Beside another statement: the only one of its migration stays (rules/fixes/in-place-opt-out.test.ts).
  const drop = 'SELECT 1;\nDROP INDEX hydra_oauth2_code_client_id_idx;\n';

  it('pop (ory/hydra): the next free version sorts after the migration that creates the index again, so no move, and why', () => {
    const [finding] = findingsOf('drop-index-without-concurrently', drop, hydra('CREATE INDEX hydra_oauth2_code_client_id_idx ON hydra_oauth2_code (client_id, nid);\n'));
    expect(finding?.fixes).toEqual([]);
    expect(finding?.noFixReason).toBe(
      'pop runs this statement in a transaction. A new migration for it, 20220210000001000023_drop_index_hydra_oauth2_code_client_id_idx.postgres.autocommit.up.sql, ' +
        'would sort after the later migration 20220210000001000021_nid.postgres.up.sql, which uses hydra_oauth2_code_client_id_idx: moved there, the statement would ' +
        'run after that migration and act on what it left (or make it fail), which changes what the migrations do. Make this change by hand in a migration that ' +
        'runs before 20220210000001000021_nid.postgres.up.sql, outside a transaction.',
    );
  });

  it('pop: later migrations that name neither the index nor anything else the statement names (their rollbacks aside) leave the move as it was', () => {
    const [finding] = findingsOf('drop-index-without-concurrently', drop, hydra('CREATE INDEX hydra_oauth2_code_request_id_idx ON hydra_oauth2_code (request_id, nid);\n'));
    expect(finding?.noFixReason).toBeUndefined();
    expect(finding?.fixes[0]?.createFiles?.map((file) => file.path)).toEqual([
      '20220210000001000023_drop_index_hydra_oauth2_code_client_id_idx.postgres.autocommit.up.sql',
      '20220210000001000023_drop_index_hydra_oauth2_code_client_id_idx.postgres.autocommit.down.sql',
    ]);
  });

  it('names match as PostgreSQL folds them: an unquoted name in any case, in dynamic SQL too; not in a comment', () => {
    const reasonWith = (next: string) => findingsOf('drop-index-without-concurrently', drop, hydra(next))[0]?.noFixReason;
    expect(reasonWith('DROP INDEX IF EXISTS Hydra_OAuth2_Code_Client_Id_Idx;\n')).toContain('which uses hydra_oauth2_code_client_id_idx');
    expect(reasonWith("DO $$ BEGIN EXECUTE 'CREATE INDEX hydra_oauth2_code_client_id_idx ON hydra_oauth2_code (client_id)'; END $$;\n")).toContain('which uses');
    expect(reasonWith('-- hydra_oauth2_code_client_id_idx is dropped by the migration before\nSELECT 1;\n')).toBeUndefined();
    expect(reasonWith('CREATE INDEX "Hydra_oauth2_code_client_id_idx" ON hydra_oauth2_code (client_id);\n')).toBeUndefined();
  });

  it("goose: the table a moved CREATE INDEX builds on counts; a later migration's Down section does not run on the way up", () => {
    const source = '-- +goose Up\nALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);\n';
    const at = (later: string) =>
      folder('db/migrations/20240131235959_note.sql', { '20240131235959_note.sql': source, '20240201000000_later.sql': later, '20240201000001_last.sql': '-- +goose Up\nSELECT 1;\n' });
    const dropsTheColumn = findingsOf('create-index-without-concurrently', source, at('-- +goose Up\nALTER TABLE orders DROP COLUMN note;\n'))[0];
    expect(dropsTheColumn?.fixes).toEqual([]);
    expect(dropsTheColumn?.noFixReason).toContain('A new migration for it, 20240201000002_create_index_orders_note_idx_orders.sql, would sort after the later migration 20240201000000_later.sql, which uses orders:');
    const onlyItsRollback = findingsOf('create-index-without-concurrently', source, at('-- +goose Up\nSELECT 1;\n-- +goose Down\nALTER TABLE orders DROP COLUMN note;\n'))[0];
    expect(onlyItsRollback?.fixes[0]?.createFiles?.[0]?.path).toBe('20240201000002_create_index_orders_note_idx_orders.sql');
  });

  it('Prisma: a VALIDATE that must follow this migration is not written into a new one that sorts after a later use of the table', () => {
    const source = 'ALTER TABLE "Order" ADD CONSTRAINT positive_total CHECK (total > 0);\n';
    const options = (later: string) =>
      folder('prisma/migrations/20240101120000_check/migration.sql', {
        '../20240101120000_check/migration.sql': source,
        '../20240101120001_later/migration.sql': later,
      });
    const renamed = findingsOf('check-without-not-valid', source, options('ALTER TABLE "Order" RENAME TO "Purchase";\n'))[0]?.fixes[0];
    // The fix falls back to its note: VALIDATE in the next migration, written by hand.
    expect(renamed?.createFiles).toBeUndefined();
    expect(renamed?.title).toBe('Add the constraint NOT VALID; VALIDATE CONSTRAINT in the next migration, outside this transaction');
    const unrelated = findingsOf('check-without-not-valid', source, options('ALTER TABLE "Customer" ADD COLUMN note text;\n'))[0]?.fixes[0];
    expect(unrelated?.createFiles?.map((file) => file.path)).toEqual(['../20240101120002_alter_table_order_validate_constraint_positive_total/migration.sql']);
  });

  it('a later migration that cannot be read, or a folder that cannot be listed, leaves the move as it was', () => {
    const unread = { ...hydra(''), readSibling: () => undefined };
    expect(findingsOf('drop-index-without-concurrently', drop, unread)[0]?.fixes).toHaveLength(1);
    expect(findingsOf('drop-index-without-concurrently', drop, { filePath: 'migrations/20220210000001000020_nid.postgres.up.sql' })[0]?.fixes).toHaveLength(1);
  });
});

describe('a moved statement stays before a later statement of its file that names the index it makes', () => {
  // marquez V45: the index is built, then made a constraint's; built in a new migration, it would not exist yet for the ADD CONSTRAINT.
  const build = 'CREATE UNIQUE INDEX jobs_uq ON jobs (name, namespace_uuid);\n';
  const useIt = 'ALTER TABLE jobs ADD CONSTRAINT jobs_uq UNIQUE USING INDEX jobs_uq;\n';

  it('Flyway: no new migration, and why', () => {
    const [finding] = findingsOf('create-index-without-concurrently', `${build}${useIt}`, folder('db/migration/V45__jobs.sql', { 'V45__jobs.sql': '' }));
    expect(finding?.fixes).toEqual([]);
    expect(finding?.noFixReason).toBe(
      'Flyway runs this statement in a transaction. Line 2 also names jobs_uq, so this statement must stay before it: moved into a new migration, ' +
        'it would run after that statement, which would then fail or act on another index. Move them together, by hand, to where both can run.',
    );
    expect(findingsOf('create-index-without-concurrently', `${useIt}${build}`, folder('db/migration/V45__jobs.sql', { 'V45__jobs.sql': '' }))[0]?.fixes).toHaveLength(1);
  });

  it('an explicit block: not after the COMMIT when a statement before the COMMIT uses it; a use after the COMMIT does not count', () => {
    const before = findingsOf('create-index-without-concurrently', `BEGIN;\n${build}${useIt}COMMIT;\n`)[0];
    expect(before?.fixes).toEqual([]);
    expect(before?.noFixReason).toContain('Line 3 also names jobs_uq, so this statement must stay before it: moved after the COMMIT,');
    const after = findingsOf('create-index-without-concurrently', `BEGIN;\n${build}COMMIT;\n${useIt}`)[0];
    expect(after?.fixes[0]?.title).toBe('Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS after COMMIT (CONCURRENTLY cannot run inside a transaction block)');
  });

  it("Liquibase: a later changeset's use does not count (the new changeset runs right after this one)", () => {
    const source = `--liquibase formatted sql\n--changeset ann:1\n${build}--changeset ann:2\n${useIt}`;
    expect(findingsOf('create-index-without-concurrently', source, { filePath: 'db/changelog.sql' })[0]?.fixes).toHaveLength(1);
    const sameChangeset = `--liquibase formatted sql\n--changeset ann:1\n${build}${useIt}--changeset ann:2\nSELECT 1;\n`;
    expect(findingsOf('create-index-without-concurrently', sameChangeset, { filePath: 'db/changelog.sql' })[0]?.noFixReason).toContain('moved into a changeset of its own,');
  });
});
