import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'add-column-volatile-default';
const findings = (sql: string, pgVersion = 15) => findingsOf(RULE, sql, { pgVersion });
const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));
// Timeout hygiene rules fire on any blocking statement without a timeout; they are not what these tests are about.
const ruleIds = (sql: string) => lintWithoutHygiene(sql).map((finding) => finding.ruleId);

describe(RULE, () => {
  describe('flags a volatile default and splits it into ADD COLUMN + SET DEFAULT', () => {
    it.each([
      [
        'gen_random_uuid()',
        'ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();',
        'ALTER TABLE orders ADD COLUMN public_id uuid;\nALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();',
      ],
      [
        'clock_timestamp(), another constraint after it',
        "ALTER TABLE app.orders ADD COLUMN IF NOT EXISTS seen_at timestamptz DEFAULT clock_timestamp() CHECK (seen_at > '2020-01-01');",
        "ALTER TABLE app.orders ADD COLUMN IF NOT EXISTS seen_at timestamptz CHECK (seen_at > '2020-01-01');\nALTER TABLE app.orders ALTER COLUMN seen_at SET DEFAULT clock_timestamp();",
      ],
      [
        'random() inside an expression, quoted names',
        'ALTER TABLE "Orders" ADD "Token" int DEFAULT (random() * 100)::int;',
        'ALTER TABLE "Orders" ADD "Token" int;\nALTER TABLE "Orders" ALTER COLUMN "Token" SET DEFAULT (random() * 100)::int;',
      ],
    ])('%s', (_name, sql, fixed) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(textOf(sql, finding!)).toMatch(/^DEFAULT /);
      expect(finding!.message).toMatch(/volatile/);
      expect(finding!.message).toMatch(/ACCESS EXCLUSIVE/);
      expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE' });
      const [fix] = finding!.fixes;
      expect(fix).toMatchObject({ preferred: true, autoApplicable: false });
      expect(fix!.title).toMatch(/existing rows stay NULL/);
      const result = applyFix(sql, fix!);
      expect(result).toBe(fixed);
      expect(ruleIds(result)).not.toContain(RULE);
      expect(ruleIds(result)).not.toContain('syntax-error');
    });
  });

  it('does not flag non-volatile defaults on PostgreSQL 11+ (fast default)', () => {
    for (const expression of ['0', "'new'", 'now()', 'CURRENT_TIMESTAMP', 'true', "'{}'::jsonb", 'NULL', "lower('X')"]) {
      expect(findings(`ALTER TABLE orders ADD COLUMN c text DEFAULT ${expression};`), expression).toEqual([]);
      expect(findings(`ALTER TABLE orders ADD COLUMN c text DEFAULT ${expression};`, 11), expression).toEqual([]);
    }
  });

  it('flags every non-NULL default before PostgreSQL 11', () => {
    const [finding] = findings("ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';", 10);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(/Before PostgreSQL 11 every DEFAULT/);
    expect(findings('ALTER TABLE orders ADD COLUMN status text DEFAULT NULL;', 10)).toEqual([]);
  });

  it('warns for a function it does not know, saying why it cannot tell', () => {
    const [finding] = findings('ALTER TABLE orders ADD COLUMN code text DEFAULT app.next_code();');
    expect(finding!.severity).toBe('warning');
    expect(finding!.message).toMatch(/does not know: if it is VOLATILE/);
  });

  describe('judges a function the same file declares by its declaration', () => {
    const declare = (clause: string) => `CREATE FUNCTION app.next_code() RETURNS int LANGUAGE sql ${clause} AS 'SELECT 1';\n`;
    const add = 'ALTER TABLE orders ADD COLUMN code int DEFAULT app.next_code();';

    it.each([['VOLATILE'], ['']])('an error when it is declared %s (VOLATILE is the default)', (clause) => {
      const sql = declare(clause) + add;
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('error');
      expect(sql.slice(finding!.range.start, finding!.range.end)).toBe('DEFAULT app.next_code()');
      expect(finding!.message).toMatch(/the migrations declare the function without IMMUTABLE or STABLE, so it is VOLATILE/);
      expect(finding!.fixes).toHaveLength(1);
    });

    it.each([['STABLE'], ['IMMUTABLE']])('not reported when it is declared %s', (clause) => {
      expect(findings(declare(clause) + add)).toEqual([]);
    });

    it('also knows a function an earlier migration of the set declared', () => {
      const volatile = findingsOf(RULE, add, { priorSchema: priorSchemaOf(declare('')) });
      expect(volatile.map((finding) => finding.severity)).toEqual(['error']);
      expect(findingsOf(RULE, add, { priorSchema: priorSchemaOf(declare('STABLE')) })).toEqual([]);
    });

    it('only counts a declaration before the ALTER TABLE', () => {
      const [finding] = findings(add + '\n' + declare('IMMUTABLE'));
      expect(finding!.severity).toBe('warning');
    });
  });

  it('explains why there is no fix for NOT NULL columns and multi-command statements', () => {
    const [notNull] = findings('ALTER TABLE orders ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();');
    expect(notNull!.fixes).toEqual([]);
    expect(notNull!.noFixReason).toMatch(/NOT NULL column would fail/);
    // supabase-storage 0023-iceberg-catalog-id: the advice itself must not add a NOT NULL column without a default.
    expect(notNull!.message).toMatch(/Add the column nullable and without the default, .* and add NOT NULL after the backfill\.$/);
    expect(findings('ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();')[0]!.message).not.toMatch(/nullable|NOT NULL/);
    const [several] = findings('ALTER TABLE orders ADD COLUMN a uuid DEFAULT gen_random_uuid(), ADD COLUMN b int;');
    expect(several!.fixes).toEqual([]);
    expect(several!.noFixReason).toMatch(/Split the ALTER TABLE/);
  });

  it('leaves tables created earlier in the file, and serial/identity/generated columns, to others', () => {
    expect(findings('CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN n bigserial;')).toEqual([]);
    expect(findings('ALTER TABLE orders ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;')).toEqual([]);
  });

  it('is the only rule that fires on a lone volatile ADD COLUMN', () => {
    expect(ruleIds('ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();')).toEqual([RULE]);
  });
});

// Review round 7 #8 (sql-migrate-goalert 20220808103727-switchover-mk2.sql): switchover_state holds one row at most
// (`ok BOOL PRIMARY KEY … CHECK (ok)`), so rewriting it costs nothing.
describe(`${RULE}: a table its key and CHECKs hold to a few rows`, () => {
  const add = 'ALTER TABLE switchover_state ADD column db_id UUID NOT NULL DEFAULT gen_random_uuid();';
  const withTable = (create: string) => findingsOf(RULE, add, { priorSchema: priorSchemaOf(create) });

  it.each([
    ['a boolean key a CHECK pins to true', 'CREATE TABLE switchover_state (ok BOOL PRIMARY KEY, current_state text NOT NULL, CHECK (ok));'],
    ['an integer key pinned to one value', 'CREATE TABLE switchover_state (id int PRIMARY KEY CHECK (id = 1), current_state text);'],
    ['a composite key of pinned columns', "CREATE TABLE switchover_state (a int, b text, PRIMARY KEY (a, b), CHECK (a IN (1, 2) AND b = 'x'));"],
    ['a NOT NULL unique column pinned to one value', 'CREATE TABLE switchover_state (lock int NOT NULL UNIQUE CHECK (lock = 1), current_state text);'],
  ])('is quiet for %s', (_, create) => {
    expect(withTable(create)).toEqual([]);
  });

  it.each([
    ['a key a CHECK only bounds', 'CREATE TABLE switchover_state (id int PRIMARY KEY CHECK (id > 0));'],
    ['a pinned column that is not the key', 'CREATE TABLE switchover_state (id int PRIMARY KEY, ok bool CHECK (ok));'],
    ['a nullable unique column (NULLs are distinct)', 'CREATE TABLE switchover_state (lock int UNIQUE CHECK (lock = 1), current_state text);'],
    ['a CHECK added NOT VALID (existing rows unchecked)', 'CREATE TABLE switchover_state (ok bool PRIMARY KEY);\nALTER TABLE switchover_state ADD CONSTRAINT one_row CHECK (ok) NOT VALID;'],
  ])('still flags %s', (_, create) => {
    expect(withTable(create)).toHaveLength(1);
  });
});

// Review round 8 #7 (hydra change_jwk_primary_key): the file later makes the column the primary key, which fails once the
// existing rows hold NULL: the split would break the migration, so it is not offered.
describe(`${RULE}: a later statement that needs the column filled`, () => {
  const priorSchema = priorSchemaOf('CREATE TABLE k (sid varchar(255) NOT NULL, kid varchar(255) NOT NULL, PRIMARY KEY (sid, kid));');
  const add = 'ALTER TABLE k ADD COLUMN pk UUID DEFAULT gen_random_uuid();\nALTER TABLE k ALTER pk DROP DEFAULT;\n';

  it.each([
    ['ADD PRIMARY KEY over it', 'ALTER TABLE k DROP CONSTRAINT k_pkey;\nALTER TABLE k ADD PRIMARY KEY (pk);\n', 4],
    ['SET NOT NULL on it', 'ALTER TABLE k ALTER COLUMN pk SET NOT NULL;\n', 3],
  ])('offers no fix before %s, and says which line needs the values', (_, later, line) => {
    const [finding] = findingsOf(RULE, add + later, { priorSchema });
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain(`Line ${line} needs a value in every row of the column`);
  });

  it('still offers it when nothing later needs the values', () => {
    const [finding] = findingsOf(RULE, add + 'ALTER TABLE k ALTER COLUMN sid SET NOT NULL;\n', { priorSchema });
    expect(finding!.fixes).toHaveLength(1);
  });
});
