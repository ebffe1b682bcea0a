import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, textOf } from '../../../../test/helpers/lint';

const RULE = 'prefer-jsonb';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('info on a json column of a new table, with a fix that is only offered', () => {
    const sql = 'CREATE TABLE e (payload json NOT NULL, h JSON[]);';
    const all = findings(sql);
    expect(all.map((finding) => [finding.severity, textOf(sql, finding)])).toEqual([
      ['info', 'json'],
      ['info', 'JSON[]'],
    ]);
    expect(all[0]!.message).toContain('e.payload is json: it has no equality operator');
    expect(all[0]!.message).toContain('jsonb normalises it (whitespace, key order, duplicate keys)');
    // jsonb changes the stored text: never the fix an editor or --fix picks on its own.
    expect(all[0]!.fixes[0]).toMatchObject({ preferred: false, autoApplicable: false });
    expect(applyFix(sql, all[1]!.fixes[0]!)).toBe('CREATE TABLE e (payload json NOT NULL, h jsonb[]);');
  });

  it('offers but does not auto-apply the fix on an existing table', () => {
    expect(findings('ALTER TABLE orders ADD COLUMN meta json;')[0]!.fixes[0]).toMatchObject({ autoApplicable: false });
    expect(findings('ALTER TABLE orders ALTER COLUMN meta TYPE json;')[0]!.fixes[0]).toMatchObject({ autoApplicable: false });
  });

  it('is quiet for jsonb', () => {
    expect(findings('CREATE TABLE e (payload jsonb);\nALTER TABLE e ADD COLUMN h jsonb[];')).toEqual([]);
  });
});

// Review round 4 #58 (goalert 20230913170424-graphql-api-key.sql): json chosen so that a hash of the exact text stays reproducible.
describe('a json column whose comment explains the choice', () => {
  it.each([
    [
      'on the lines just above',
      'CREATE TABLE keys (\n    id uuid PRIMARY KEY,\n    -- We must use json instead of jsonb because we need a reproducible hash of the policy:\n    -- jsonb does not keep the order of keys.\n    --\n    policy json NOT NULL\n);',
    ],
    ['on its line', 'CREATE TABLE keys (id uuid, policy json NOT NULL /* kept verbatim: signed */);'],
    ['after it on its line', 'ALTER TABLE keys ADD COLUMN body json; -- exact text of the webhook, for its signature'],
    [
      'above the statement',
      '-- the payload is stored as received: key order matters to the checksum\nALTER TABLE keys ADD COLUMN body json;',
    ],
    [
      'COMMENT ON COLUMN',
      "CREATE TABLE keys (id uuid, policy json);\nCOMMENT ON COLUMN public.keys.policy IS 'json, not jsonb: hashed as written';",
    ],
  ])('is quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });

  it.each([
    ['a comment that only describes the content', 'CREATE TABLE e (\n  -- JSON representation of the event details\n  payload json\n);'],
    ['a comment above a blank line', 'CREATE TABLE e (\n  -- keys are hashed below\n\n  payload json\n);'],
    ['a comment on the line of another column', 'CREATE TABLE e (\n  digest text, -- hash of the payload\n  payload json\n);'],
    ['a COMMENT ON another column', "CREATE TABLE e (payload json, raw json);\nCOMMENT ON COLUMN e.raw IS 'verbatim';"],
  ])('still reports %s', (_name, sql) => {
    expect(findings(sql)).toHaveLength(1);
  });
});

// Review round 9 #58 (lemmy 2023-07-11-084714_receive_activity_table): the reason for json is written above the
// CREATE TABLE, naming the column.
describe('prefer-jsonb: a comment above the statement that names the column', () => {
  const table = 'CREATE TABLE sent_activity (\n  id bigserial PRIMARY KEY,\n  ap_id text UNIQUE NOT NULL,\n  data json NOT NULL\n);\n';

  it('is read as the reason for json', () => {
    expect(findingsOf('prefer-jsonb', `-- outgoing activities, need to be stored to be later server over http\n-- we change data column from jsonb to json for decreased size\n${table}`)).toEqual([]);
  });

  it('is not, when it does not name the column or gives no reason', () => {
    expect(findingsOf('prefer-jsonb', `-- we moved from jsonb to json for decreased size\n${table}`)).toHaveLength(1);
    expect(findingsOf('prefer-jsonb', `-- the data column holds activities\n${table}`)).toHaveLength(1);
  });
});
