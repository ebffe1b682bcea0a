import { describe, expect, it } from 'vitest';
import { findingsOf, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'drop-constraint';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });
const parser = await PostgresParser.load();

describe(RULE, () => {
  it('is a warning about the locks on both tables and about what a dropped unique index breaks', () => {
    const sql = 'ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_customer_id_fkey;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('DROP CONSTRAINT IF EXISTS orders_customer_id_fkey');
    expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on orders (and, for a foreign key, on the table it references)');
    expect(finding!.message).toMatch(/ON CONFLICT/);
    expect(finding!.lock?.mode).toBe('ACCESS EXCLUSIVE');
  });

  describe('stays quiet for constraints no one relies on yet', () => {
    it.each([
      ['table created in the file', 'CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY);\nALTER TABLE t DROP CONSTRAINT t_pk;', undefined],
      ['named constraint added in the file', 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;\nALTER TABLE orders DROP CONSTRAINT amount_positive;', undefined],
      ['unnamed constraint added in the file, dropped by its default name', 'ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;', undefined],
      ['down migration', 'ALTER TABLE orders DROP CONSTRAINT amount_positive;', 'db/000002_amount.down.sql'],
    ])('%s', (_name, sql, filePath) => {
      expect(findings(sql, filePath)).toEqual([]);
    });
  });
});

describe(`${RULE}: replacements and dropped tables`, () => {
  it('stays quiet when the same constraint is added back (a replacement) or the table is dropped later (drop-table reports it)', () => {
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey;\nALTER TABLE t ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES p ON DELETE CASCADE NOT VALID;')).toEqual([]);
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey, ADD CONSTRAINT t_a_fkey FOREIGN KEY (a) REFERENCES p NOT VALID;')).toEqual([]);
    expect(findings('ALTER TABLE "T" DROP CONSTRAINT "T_a_fkey";\nDROP TABLE "T";')).toEqual([]);
  });

  it('reports a repeated DROP CONSTRAINT IF EXISTS once: the repeat (another branch of a DO block, say) finds nothing to drop', () => {
    const sql = 'ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a_fkey;\nSELECT 1;\nALTER TABLE t DROP CONSTRAINT IF EXISTS t_a_fkey;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.range.start).toBe(sql.indexOf('DROP CONSTRAINT'));
    // Another constraint, another table, or a repeat without IF EXISTS (which fails): still reported.
    expect(findings('ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a_fkey;\nALTER TABLE t DROP CONSTRAINT IF EXISTS t_b_fkey;')).toHaveLength(2);
    expect(findings('ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a_fkey;\nALTER TABLE u DROP CONSTRAINT IF EXISTS t_a_fkey;')).toHaveLength(2);
    expect(findings('ALTER TABLE t DROP CONSTRAINT IF EXISTS t_a_fkey;\nALTER TABLE t DROP CONSTRAINT t_a_fkey;')).toHaveLength(2);
  });

  it('still flags a drop when another constraint or another table is added or dropped', () => {
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey;\nALTER TABLE t ADD CONSTRAINT t_b_fkey FOREIGN KEY (b) REFERENCES p NOT VALID;')).toHaveLength(1);
    expect(findings('ALTER TABLE t DROP CONSTRAINT t_a_fkey;\nDROP TABLE u;')).toHaveLength(1);
  });

  describe('asks for a lock_timeout only when none is in force', () => {
    const drop = 'ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;';
    it.each([
      ['SET before it', `SET lock_timeout = '2s';\n${drop}`],
      ['SET LOCAL earlier in its transaction', `BEGIN;\nSET LOCAL lock_timeout = '2s';\n${drop}\nCOMMIT;`],
      ["set_config('lock_timeout', …)", `SELECT set_config('lock_timeout', '2s', false);\n${drop}`],
    ])('%s: still a warning about what the drop breaks, without the timeout advice', (_name, sql) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe('DROP CONSTRAINT orders_customer_id_fkey');
      expect(finding!.message).toContain('Check nothing relies on it.');
      expect(finding!.message).not.toMatch(/lock_timeout/);
    });

    it.each([
      ['no timeout', drop],
      ['set to 0', `SET lock_timeout = 0;\n${drop}`],
      ['RESET before it', `SET lock_timeout = '2s';\nRESET lock_timeout;\n${drop}`],
    ])('%s: still asks for one', (_name, sql) => {
      expect(findings(sql)[0]!.message).toContain('set a short lock_timeout first');
    });
  });
});

// Review round 4 #28 (atlas-gram 20251010175120_drop-http-tool-names.sql): the constraint goes with its column anyway.
describe(`${RULE}: a constraint on a column the same statement drops`, () => {
  const priorSchema = schemaAfter(
    buildStatements(
      'CREATE TABLE toolsets (id int PRIMARY KEY, names text[], slug text, owner int REFERENCES users (id), CONSTRAINT toolsets_names_check CHECK (array_length(names, 1) <= 10), CONSTRAINT toolsets_slug_owner_key UNIQUE (slug, owner));',
      parser,
      defaultOptions(),
    ),
  );
  const lint = (sql: string) => findingsOf(RULE, sql, { priorSchema });

  it('stays quiet: PostgreSQL drops the constraints involving a dropped column with it, and drop-column reports the drop', () => {
    expect(lint('ALTER TABLE toolsets DROP CONSTRAINT toolsets_names_check, DROP COLUMN names;')).toEqual([]);
    expect(lint('ALTER TABLE toolsets DROP CONSTRAINT toolsets_slug_owner_key, DROP COLUMN slug;')).toEqual([]);
    expect(lint('ALTER TABLE toolsets DROP CONSTRAINT toolsets_owner_fkey, DROP COLUMN owner;')).toEqual([]);
  });

  it('still flags it when the statement drops another column, when a later statement drops the column, or when the history does not know the constraint', () => {
    expect(lint('ALTER TABLE toolsets DROP CONSTRAINT toolsets_names_check, DROP COLUMN slug;')).toHaveLength(1);
    expect(lint('ALTER TABLE toolsets DROP CONSTRAINT toolsets_names_check;\nALTER TABLE toolsets DROP COLUMN names;')).toHaveLength(1);
    expect(findings('ALTER TABLE toolsets DROP CONSTRAINT toolsets_names_check, DROP COLUMN names;')).toHaveLength(1);
  });
});

// Review round 5 #27 (lemmy 2023-10-24-030352_change_primary_keys_and_remove_some_id_columns): the UNIQUE on
// pictrs_alias is dropped by the statement that makes pictrs_alias the primary key.
describe(`${RULE}: a UNIQUE or PRIMARY KEY the same statement replaces by a key on the same columns`, () => {
  const priorSchema = schemaAfter(
    buildStatements('CREATE TABLE image_upload (id serial PRIMARY KEY, pictrs_alias text NOT NULL UNIQUE, owner int, CONSTRAINT image_upload_owner_alias_key UNIQUE (owner, pictrs_alias));', parser, defaultOptions()),
  );
  const lint = (sql: string) => findingsOf(RULE, sql, { priorSchema });

  it('stays quiet: no index is lost, and the key the statement adds is reported by its own rule', () => {
    expect(lint('ALTER TABLE image_upload DROP COLUMN id, ADD PRIMARY KEY (pictrs_alias), DROP CONSTRAINT image_upload_pictrs_alias_key;')).toEqual([]);
    expect(lint('ALTER TABLE image_upload ADD CONSTRAINT image_upload_alias_unique UNIQUE (pictrs_alias), DROP CONSTRAINT image_upload_pictrs_alias_key;')).toEqual([]);
    // lemmy's comment_like: UNIQUE (comment_id, person_id) becomes PRIMARY KEY (person_id, comment_id).
    expect(lint('ALTER TABLE image_upload DROP COLUMN id, ADD PRIMARY KEY (pictrs_alias, owner), DROP CONSTRAINT image_upload_owner_alias_key;')).toEqual([]);
  });

  it('still flags it when the new key has other columns, comes in a later statement, or the history does not know the constraint', () => {
    expect(lint('ALTER TABLE image_upload ADD PRIMARY KEY (owner), DROP CONSTRAINT image_upload_pictrs_alias_key;')).toHaveLength(1);
    expect(lint('ALTER TABLE image_upload ADD CONSTRAINT k UNIQUE (pictrs_alias, id), DROP CONSTRAINT image_upload_owner_alias_key;')).toHaveLength(1);
    expect(lint('ALTER TABLE image_upload DROP CONSTRAINT image_upload_pictrs_alias_key;\nALTER TABLE image_upload ADD CONSTRAINT image_upload_alias UNIQUE (pictrs_alias);')).toHaveLength(1);
    expect(findings('ALTER TABLE image_upload ADD PRIMARY KEY (pictrs_alias), DROP CONSTRAINT image_upload_pictrs_alias_key;')).toHaveLength(1);
  });
});

// Review round 7 #27 (lemmy same_table_joins): the schema shows what each dropped constraint is, so the message says
// what that kind of drop costs: the referenced table's lock for a foreign key, ON CONFLICT and lookups for a key.
describe('drop-constraint: what the schema shows about the dropped constraints', () => {
  const priorSchema = schemaAfter(
    buildStatements(
      'CREATE TABLE post (id int PRIMARY KEY);\n' +
        'CREATE TABLE combined (id int PRIMARY KEY, post_id int UNIQUE CONSTRAINT combined_post_fk REFERENCES post, n int CONSTRAINT combined_n_check CHECK (n > 0));',
      parser,
      defaultOptions(),
    ),
  );
  const messageOf = (sql: string) => findingsOf('drop-constraint', sql, { priorSchema })[0]!.message;

  it('names the table a dropped foreign key references, and says nothing of indexes', () => {
    const message = messageOf('ALTER TABLE combined DROP CONSTRAINT combined_post_fk;');
    expect(message).toContain('ACCESS EXCLUSIVE lock on combined and on post, which its foreign key references:');
    expect(message).not.toContain('ON CONFLICT');
  });

  it('keeps the ON CONFLICT clause for a dropped key, and drops the full-scan one when the migration indexes the same columns', () => {
    expect(messageOf('ALTER TABLE combined DROP CONSTRAINT combined_post_id_key;')).toContain('INSERT … ON CONFLICT on its columns fails and lookups may become full scans');
    const reindexed = messageOf('ALTER TABLE combined DROP CONSTRAINT combined_post_id_key;\nCREATE INDEX combined_post_idx ON combined (post_id);');
    expect(reindexed).toContain('INSERT … ON CONFLICT on its columns fails (lookups keep the index the migration builds on the same columns)');
  });

  it('says neither for a CHECK', () => {
    const message = messageOf('ALTER TABLE combined DROP CONSTRAINT combined_n_check;');
    expect(message).not.toMatch(/ON CONFLICT|references/);
  });
});
