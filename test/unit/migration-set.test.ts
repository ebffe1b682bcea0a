import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appliedText, earlierMigrations, planChanges, type MigrationSetFiles } from '../../server/src/engine/model/migration-set';
import { Linter } from '../../server/src/engine/lint';
import type { Rule } from '../../server/src/engine/rules/rule';
import { PriorSchemas } from '../../server/src/engine/model/schema/prior-schemas';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { diskFiles } from '../../server/src/engine/prior-schema-files';
import { CORPUS, HAS_CORPUS } from '../helpers/corpus';
import { findingsOf } from '../helpers/lint';

const FRAMEWORKS = `${CORPUS}/frameworks`;
/** The earlier migrations' names, relative to `folder`. */
const earlierNames = (folder: string, file: string) => earlierMigrations(`${folder}/${file}`, diskFiles).map((path) => path.slice(folder.length + 1));

/** A tree of files in memory, as the set's reader sees it. */
function inMemory(tree: Record<string, string>): MigrationSetFiles {
  return {
    list: (folder) => {
      const names = new Map<string, boolean>();
      for (const path of Object.keys(tree)) {
        if (!path.startsWith(`${folder}/`)) continue;
        const [first, ...rest] = path.slice(folder.length + 1).split('/');
        names.set(first!, rest.length > 0);
      }
      return names.size === 0 ? undefined : [...names].map(([name, isDirectory]) => ({ name, isDirectory }));
    },
    read: (path) => tree[path],
  };
}

describe('the earlier migrations of a set, in the framework order', () => {
  it.skipIf(!HAS_CORPUS)('Flyway: versioned scripts by version (2 < 2.1 < 3), repeatable ones after them', () => {
    const folder = `${FRAMEWORKS}/flyway-marquez/api/src/main/resources/marquez/db/migration`;
    expect(earlierNames(folder, 'V3__drop_not_null_constraint_on_job_location.sql')).toEqual([
      'V1__initial_schema.sql',
      'V2__add_job_contexts.sql',
      'V2.1__alter_job_versions_to_add_job_context_uuid.sql',
    ]);
    const beforeRepeatable = earlierNames(folder, 'R__Runs_view.sql');
    expect(beforeRepeatable.slice(-2)).toEqual(['R__Datasets_view.sql', 'R__Jobs_view_and_rewrite_function.sql']);
    expect(beforeRepeatable.filter((name) => name.startsWith('V'))).toHaveLength(beforeRepeatable.length - 2);
  });

  it.skipIf(!HAS_CORPUS)('Flyway: dotted versions compare part by part (4.11 < 4.11.0.1 < 4.12.0.1); callbacks are no migrations', () => {
    const folder = `${FRAMEWORKS}/flyway-dataverse/src/main/resources/db/migration`;
    expect(earlierNames(folder, 'V4.12.0.1__4.13-re-sanitize-filemetadata.sql').slice(-3)).toEqual([
      'V1__flyway_schema_baseline.sql',
      'V4.11__5513-database-variablemetadata.sql',
      'V4.11.0.1__5565-sanitize-directory-labels.sql',
    ]);
    expect(earlierNames(folder, 'afterMigrate__1-7256-upsert-referenceData.sql')).toEqual([]);
  });

  it.skipIf(!HAS_CORPUS)('golang-migrate: only .up.sql files; a .down.sql comes after its own up', () => {
    const folder = `${FRAMEWORKS}/golang-migrate-pkgsite/migrations`;
    expect(earlierNames(folder, '000002_add_modules_identity.up.sql')).toEqual(['000001_initial_schema_from_pg_dump.up.sql']);
    expect(earlierNames(folder, '000002_add_modules_identity.down.sql')).toEqual(['000001_initial_schema_from_pg_dump.up.sql', '000002_add_modules_identity.up.sql']);
  });

  it.skipIf(!HAS_CORPUS)('goose: numeric prefixes in order', () => {
    const folder = `${FRAMEWORKS}/goose-bitmagnet/migrations`;
    expect(earlierNames(folder, '00004_indexes.sql')).toEqual(['00001_init.sql', '00002_files_status.sql', '00003_tags.sql']);
  });

  it.skipIf(!HAS_CORPUS)('diesel (lemmy): sibling folders by version, each up.sql', () => {
    const folder = `${CORPUS}/lemmy/migrations`;
    expect(earlierNames(folder, '2019-02-27-170003_create_community/up.sql')).toEqual(['00000000000000_diesel_initial_setup/up.sql', '2019-02-26-002946_create_user/up.sql']);
    expect(earlierNames(folder, '2019-02-26-002946_create_user/down.sql')).toEqual(['00000000000000_diesel_initial_setup/up.sql', '2019-02-26-002946_create_user/up.sql']);
  });

  it.skipIf(!HAS_CORPUS)('Prisma (trigger.dev): sibling folders by timestamp, each migration.sql', () => {
    const folder = `${CORPUS}/trigger.dev/internal-packages/database/prisma/migrations`;
    expect(earlierNames(folder, '20221209205520_add_runtime_environment/migration.sql')).toEqual([
      '20221206131204_init/migration.sql',
      '20221207113401_user_organization_workflow/migration.sql',
    ]);
  });

  it.skipIf(!HAS_CORPUS)('sqitch: deploy scripts in sqitch.plan order, not by name', () => {
    const folder = `${FRAMEWORKS}/sqitch-registry/sql`;
    const plan = planChanges(diskFiles.read(`${folder}/sqitch.plan`)!);
    expect(plan.slice(0, 3)).toEqual(['users', 'workflows', 'tenant-on-boarding']);
    expect(earlierNames(folder, 'deploy/tenant-on-boarding.sql')).toEqual(['deploy/users.sql', 'deploy/workflows.sql']);
    expect(earlierNames(folder, 'revert/workflows.sql')).toEqual(['deploy/users.sql', 'deploy/workflows.sql']);
  });

  it.skipIf(!HAS_CORPUS)("Authelia: V<NNNN>.<Name>.up.sql by version; a .down.sql after its own up; older names' .postgres. and .all. files, not .mysql./.sqlite.", () => {
    const folder = `${CORPUS}/authelia/internal/storage/migrations/postgres`;
    const beforeV11 = earlierNames(folder, 'V0011.JWTProfileAccessToken.up.sql');
    expect(beforeV11).toHaveLength(10);
    expect(beforeV11.slice(-2)).toEqual(['V0009.FixConstraints.up.sql', 'V0010.FixConsentIDNotNull.up.sql']);
    expect(earlierNames(folder, 'V0002.WebAuthn.down.sql')).toEqual(['V0001.Initial_Schema.up.sql', 'V0002.WebAuthn.up.sql']);
    const older = inMemory({
      'm/V0001.Initial_Schema.postgres.up.sql': '',
      'm/V0001.Initial_Schema.mysql.up.sql': '',
      'm/V0001.Initial_Schema.all.down.sql': '',
      'm/V0002.Duo_Devices.all.up.sql': '',
      'm/V0002.Duo_Devices.sqlite.up.sql': '',
      'm/V0010.Later.postgres.up.sql': '',
    });
    expect(earlierMigrations('m/V0010.Later.postgres.up.sql', older)).toEqual(['m/V0001.Initial_Schema.postgres.up.sql', 'm/V0002.Duo_Devices.all.up.sql']);
  });

  it.skipIf(!HAS_CORPUS)('version folders (Temporal): every script of a lower version first, v1.2 < v1.10; within a folder by name', () => {
    const folder = `${CORPUS}/temporal/schema/postgresql/v12/temporal/versioned`;
    const beforeV18 = earlierNames(folder, 'v1.8/drop_unused_tasks_table.sql');
    expect(beforeV18[0]).toBe('v1.0/schema.sql');
    expect(beforeV18.slice(-5)).toEqual(['v1.6/queue_metadata.sql', 'v1.7/cluster_metadata_info.sql', 'v1.7/no_start_version.sql', 'v1.7/tiered_storage_tasks.sql', 'v1.8/alter_columns.sql']);
    expect(beforeV18.some((name) => name.startsWith('v1.10/'))).toBe(false);
    expect(earlierNames(folder, 'v1.10/task_queue_user_data.sql').slice(-2)).toEqual(['v1.8/drop_unused_tasks_table.sql', 'v1.9/history_tasks_table.sql']);
  });

  it("version folders: a manifest.json's script list and order; a script it leaves out follows the lower versions only", () => {
    const files = inMemory({
      'schema/versioned/v1.9/a.sql': '',
      'schema/versioned/v1.10/manifest.json': '{"CurrVersion": "1.10", "SchemaUpdateCqlFiles": ["z_first.sql", "a_second.sql"]}',
      'schema/versioned/v1.10/z_first.sql': '',
      'schema/versioned/v1.10/a_second.sql': '',
      'schema/versioned/v1.10/combined_by_hand.sql': '',
      'schema/versioned/v1.11/b.sql': '',
    });
    expect(earlierMigrations('schema/versioned/v1.11/b.sql', files)).toEqual(['schema/versioned/v1.9/a.sql', 'schema/versioned/v1.10/z_first.sql', 'schema/versioned/v1.10/a_second.sql']);
    expect(earlierMigrations('schema/versioned/v1.10/a_second.sql', files)).toEqual(['schema/versioned/v1.9/a.sql', 'schema/versioned/v1.10/z_first.sql']);
    expect(earlierMigrations('schema/versioned/v1.10/combined_by_hand.sql', files)).toEqual(['schema/versioned/v1.9/a.sql']);
  });

  it('one version folder without a manifest, or folders named like years, are no set', () => {
    expect(earlierMigrations('sql/v1/b.sql', inMemory({ 'sql/v1/a.sql': '', 'sql/v1/b.sql': '' }))).toEqual([]);
    expect(earlierMigrations('sql/2024/b.sql', inMemory({ 'sql/2023/a.sql': '', 'sql/2024/b.sql': '' }))).toEqual([]);
  });

  // Review round 9 #34: graphile-migrate's current.sql runs after every committed migration, in their order.
  it("graphile-migrate's current.sql comes after every committed migration", () => {
    const files = inMemory({ 'migrations/committed/000002.sql': '', 'migrations/committed/000001.sql': '', 'migrations/current.sql': '', 'migrations/afterReset.sql': '' });
    expect(earlierMigrations('migrations/current.sql', files)).toEqual(['migrations/committed/000001.sql', 'migrations/committed/000002.sql']);
    expect(earlierMigrations('sql/current.sql', inMemory({ 'sql/a.sql': '', 'sql/current.sql': '' }))).toEqual([]);
  });
});

describe('the text of a migration that runs on apply', () => {
  it('blanks Down sections of goose, dbmate, sql-migrate and node-pg-migrate files, up to the next Up marker', () => {
    expect(appliedText('-- +goose Up\nCREATE TABLE a ();\n-- +goose Down\nDROP TABLE a;\n')).toBe('-- +goose Up\nCREATE TABLE a ();\n\n\n');
    expect(appliedText('-- migrate:up\nCREATE TABLE a ();\n-- migrate:down\nDROP TABLE a;\n-- migrate:up\nCREATE TABLE b ();\n')).toBe(
      '-- migrate:up\nCREATE TABLE a ();\n\n\n-- migrate:up\nCREATE TABLE b ();\n',
    );
    expect(appliedText('-- +migrate Up\nCREATE TABLE a ();\n-- +migrate Down\nDROP TABLE a;')).toBe('-- +migrate Up\nCREATE TABLE a ();\n\n');
    expect(appliedText('CREATE TABLE a ();\n')).toBe('CREATE TABLE a ();\n');
  });
});

describe('the schema the earlier migrations leave', () => {
  it.skipIf(!HAS_CORPUS)('replays a goose folder with its Down sections left out', async () => {
    const folder = `${FRAMEWORKS}/goose-bitmagnet/migrations`;
    const schemas = new PriorSchemas(await PostgresParser.load(), diskFiles);
    const prior = schemas.before(`${folder}/00004_indexes.sql`)!;
    // 00003_tags.sql creates torrent_tags in its Up section and drops it in its Down section.
    expect([...prior.relations.values()].map((table) => table.name.name)).toContain('torrent_tags');
  });

  it('replays each earlier file once, and again only when it changes', async () => {
    const reads: string[] = [];
    let versionOfSecond = 1;
    const files: MigrationSetFiles & { stamp(path: string): string } = {
      list: () => ['001_a.sql', '002_b.sql', '003_c.sql', '004_d.sql'].map((name) => ({ name, isDirectory: false })),
      read: (path) => {
        // Framework recognition also reads files beside a migration (meta/_journal.json, atlas.sum): only migrations count here.
        if (path.endsWith('.sql')) reads.push(basename(path));
        if (path.endsWith('001_a.sql')) return 'CREATE TABLE a (id int);';
        if (path.endsWith('002_b.sql')) return versionOfSecond === 1 ? 'ALTER TABLE a ADD COLUMN note text;' : 'ALTER TABLE a ADD COLUMN note varchar(20);';
        return 'SELECT 1;';
      },
      stamp: (path) => (path.endsWith('002_b.sql') ? `v${versionOfSecond}` : 'same'),
    };
    const schemas = new PriorSchemas(await PostgresParser.load(), files);
    const folder = 'db/migrations';
    schemas.before(`${folder}/003_c.sql`);
    schemas.before(`${folder}/004_d.sql`);
    expect(reads).toEqual(['001_a.sql', '002_b.sql', '003_c.sql']);
    versionOfSecond = 2;
    schemas.forget();
    const prior = schemas.before(`${folder}/004_d.sql`)!;
    expect(reads.slice(3)).toEqual(['002_b.sql', '003_c.sql']);
    expect(prior.relations.get('public\0a')?.columns.map((column) => column.typeText)).toEqual(['int4', 'varchar(20)']);
  });
});

describe('rules see what the earlier migrations declare', () => {
  /** Reports the constraints `context.schema` knows on the altered table before the statement. */
  const constraintsSeen: Rule = {
    id: 'constraints-seen',
    severity: 'info',
    category: 'hygiene',
    docs: { summary: '', why: '', example: { bad: '', good: '' }, instead: '' },
    facts: [],
    fixChecks: [],
    check(statement, context) {
      if (statement.kind !== 'parsed' || statement.nodeType !== 'AlterTableStmt') return [];
      const constraints = context.schema.before(statement.index).constraints(statement.targets[0]!);
      return [{ message: constraints.map((constraint) => `${constraint.name} ${constraint.validated ? 'validated' : 'not valid'} ${constraint.expressionText}`).join('; ') }];
    },
  };

  it.skipIf(!HAS_CORPUS)('a varchar widened in Authelia (V0011) and Temporal (v1.8) is catalog-only: the earlier migrations give the current varchar(n)', async () => {
    const schemas = new PriorSchemas(await PostgresParser.load(), diskFiles);
    const widened = (path: string) => findingsOf('alter-column-type', diskFiles.read(path)!, { filePath: path, priorSchema: schemas.before(path) });
    // V0006 creates oauth2_access_token_session.signature VARCHAR(255); V0011 widens it to 768.
    expect(widened(`${CORPUS}/authelia/internal/storage/migrations/postgres/V0011.JWTProfileAccessToken.up.sql`)).toEqual([]);
    // v1.0 declares create_request_id and signal_id VARCHAR(64); v1.8 widens both to 255.
    expect(widened(`${CORPUS}/temporal/schema/postgresql/v12/temporal/versioned/v1.8/alter_columns.sql`)).toEqual([]);
  });

  it('a validated CHECK (col IS NOT NULL) from an earlier migration reaches the rules, through LintOptions.priorSchema', async () => {
    const schemas = new PriorSchemas(await PostgresParser.load(), {
      list: () => ['001_orders.sql', '002_check.sql', '003_not_null.sql'].map((name) => ({ name, isDirectory: false })),
      read: (path) =>
        path.endsWith('001_orders.sql')
          ? 'CREATE TABLE orders (id int, customer_id int);'
          : path.endsWith('002_check.sql')
            ? 'ALTER TABLE orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_not_null;'
            : undefined,
      stamp: () => 'same',
    });
    const priorSchema = schemas.before('db/migrations/003_not_null.sql');
    const linter = await Linter.create([constraintsSeen]);
    const sql = 'ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;';
    expect(linter.lint(sql, { priorSchema }).findings).toMatchObject([{ ruleId: 'constraints-seen', message: 'orders_customer_id_not_null validated customer_id IS NOT NULL' }]);
    expect(linter.lint(sql).findings).toMatchObject([{ ruleId: 'constraints-seen', message: '' }]);
    // Not new: an earlier migration created it, so the file's own statements are judged as on a live table.
    expect(findingsOf('create-index-without-concurrently', 'CREATE INDEX orders_customer_idx ON orders (customer_id);', { priorSchema })).toMatchObject([
      { ruleId: 'create-index-without-concurrently', severity: 'error' },
    ]);
  });
});
