import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'prefer-timestamptz';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it.each([
    ['timestamp', 'CREATE TABLE e (at timestamp NOT NULL);', 'timestamp', 'CREATE TABLE e (at timestamptz NOT NULL);'],
    ['with precision and the long form', 'CREATE TABLE e (at timestamp(3) without time zone, b int);', 'timestamp(3) without time zone', 'CREATE TABLE e (at timestamptz(3), b int);'],
    ['an array', 'CREATE TABLE e (seen TIMESTAMP[] DEFAULT NULL);', 'TIMESTAMP[]', 'CREATE TABLE e (seen timestamptz[] DEFAULT NULL);'],
    ['ADD COLUMN to a new table', 'CREATE TABLE e (id bigint);\nALTER TABLE e ADD COLUMN at timestamp;', 'timestamp', 'CREATE TABLE e (id bigint);\nALTER TABLE e ADD COLUMN at timestamptz;'],
  ])('info on a new table, with an automatic fix: %s', (_name, sql, range, fixed) => {
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('info');
    expect(textOf(sql, finding!)).toBe(range);
    expect(finding!.message).toMatch(/^e\.\w+ is a timestamp without time zone/);
    expect(finding!.fixes[0]).toMatchObject({ title: 'Use timestamptz', preferred: true, autoApplicable: true });
    const after = applyFix(sql, finding!.fixes[0]!);
    expect(after).toBe(fixed);
    expect(lint(after).filter((other) => other.ruleId === RULE || other.ruleId === 'syntax-error')).toEqual([]);
  });

  it.each([
    ['ADD COLUMN on an existing table', 'ALTER TABLE orders ADD COLUMN at timestamp;', 'timestamp'],
    ['ALTER COLUMN TYPE', 'ALTER TABLE orders ALTER COLUMN at TYPE timestamp USING at::timestamp;', 'timestamp'],
  ])('offers the fix without applying it automatically: %s', (_name, sql, range) => {
    const [finding] = findings(sql);
    expect(textOf(sql, finding!)).toBe(range);
    expect(finding!.fixes[0]).toMatchObject({ preferred: true, autoApplicable: false });
  });

  it.each([
    ['timestamptz', 'CREATE TABLE e (a timestamptz, b timestamp with time zone, c date, d time);'],
    ['temporary tables', 'CREATE TEMP TABLE e (a timestamp);'],
    ['other statements', "SELECT now()::timestamp;\nCREATE DOMAIN d AS timestamp;"],
  ])('quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });
});

describe(`${RULE} in down migrations`, () => {
  it.each(['db/migrations/2024_add/down.sql', 'migrations/001_add.down.sql', 'V2__x_down.sql'])('is quiet in %s: it restores the old schema as it was', (filePath) => {
    expect(findingsOf(RULE, 'CREATE TABLE e (at timestamp);', { filePath })).toEqual([]);
  });

  it('still reports in an up migration', () => {
    expect(findingsOf(RULE, 'CREATE TABLE e (at timestamp);', { filePath: 'migrations/001_add.up.sql' })).toHaveLength(1);
  });

  // hydra 20190200000002000000_jwk.up.sql: pop runs a migration named without a database on MySQL too, which has no timestamptz.
  it('is quiet in a pop migration named without a database, beside ones named for a database', () => {
    const sql = 'ALTER TABLE hydra_jwk ADD created_at TIMESTAMP NOT NULL DEFAULT NOW();';
    const siblings = ['20190100000008000000_client.postgres.up.sql', '20190200000002000000_jwk.up.sql', '20190200000002000000_jwk.down.sql'];
    const folder = (filePath: string, names: readonly string[]) => findingsOf(RULE, sql, { filePath: `sql/migrations/${filePath}`, listSiblings: () => names });
    expect(folder('20190200000002000000_jwk.up.sql', siblings)).toEqual([]);
    expect(folder('20190200000002000000_jwk.postgres.up.sql', siblings)).toHaveLength(1);
    // A golang-migrate folder has no dialect names: its .up.sql files run on PostgreSQL alone.
    expect(folder('000002_jwk.up.sql', ['000001_init.up.sql', '000002_jwk.up.sql'])).toHaveLength(1);
  });
});

// Review round 6 #61 (graphile-migrate-sushii-db 000002.sql:9-10): timestamptz + interval is STABLE, so a
// generation expression over the column becomes one PostgreSQL refuses.
describe('prefer-timestamptz: a stored generated column and the columns it reads', () => {
  const sql =
    'CREATE TABLE f (last_attempt timestamp NOT NULL, n int NOT NULL, created timestamp, ' +
    "next_attempt timestamp NOT NULL GENERATED ALWAYS AS (last_attempt + n * interval '1 second') STORED);";

  it('offers no type fix for them, and says why; other columns keep theirs', () => {
    const byColumn = new Map(findingsOf('prefer-timestamptz', sql).map((finding) => [finding.message.split(' ')[0]!.replace('f.', ''), finding]));
    for (const column of ['last_attempt', 'next_attempt']) {
      expect(byColumn.get(column)!.fixes).toEqual([]);
      expect(byColumn.get(column)!.noFixReason).toContain('generation expression is not immutable');
    }
    expect(byColumn.get('created')!.fixes).toHaveLength(1);
  });
});

// Review round 8 #61 (graphile-migrate-sushii-db 000026.sql): the default is UTC wall-clock time; under timestamptz it
// would be read in the session's zone, hours off, so the type alone must not change.
describe('prefer-timestamptz: a DEFAULT that converts to a wall clock', () => {
  it.each([
    ["timezone('utc', now())", "CREATE TABLE r (k int PRIMARY KEY, last_used timestamp NOT NULL DEFAULT timezone('utc', now()));"],
    ["now() AT TIME ZONE 'UTC'", "CREATE TABLE r (k int PRIMARY KEY, last_used timestamp DEFAULT (now() AT TIME ZONE 'UTC'));"],
    ['in ADD COLUMN', "ALTER TABLE r ADD COLUMN last_used timestamp DEFAULT timezone('utc'::text, now());"],
  ])('offers no type-only fix for %s, and says why', (_, sql) => {
    const [finding] = findingsOf('prefer-timestamptz', sql);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toContain("Change the type together with the DEFAULT, to now().");
  });

  it('still offers it for now()', () => {
    expect(findingsOf('prefer-timestamptz', 'CREATE TABLE r (k int PRIMARY KEY, last_used timestamp NOT NULL DEFAULT now());')[0]!.fixes).toHaveLength(1);
  });
});
