import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'rename-table';
const findings = (sql: string, filePath?: string) => findingsOf(RULE, sql, { filePath });

describe(RULE, () => {
  it('is an error naming both names, underlining RENAME TO …', () => {
    const sql = 'ALTER TABLE IF EXISTS app.customers RENAME TO clients;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(textOf(sql, finding!)).toBe('RENAME TO clients');
    expect(finding!.message).toContain('Renaming app.customers to clients breaks the application running now');
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { schema: 'app', name: 'customers' } });
    expect(finding!.safeAlternative).toContain('CREATE VIEW app.customers');
  });

  describe('stays quiet when the old name keeps working or nobody used it', () => {
    it.each([
      ['a view with the old name follows', 'ALTER TABLE customers RENAME TO clients;\nCREATE VIEW customers AS SELECT * FROM clients;', undefined],
      ['table created in the file', 'CREATE TABLE tmp (id int);\nALTER TABLE tmp RENAME TO final;', undefined],
      ['down migration', 'ALTER TABLE clients RENAME TO customers;', 'db/000003_clients.down.sql'],
      ['an index rename', 'ALTER INDEX i RENAME TO j;', undefined],
      ['a column rename', 'ALTER TABLE t RENAME COLUMN a TO b;', undefined],
    ])('%s', (_name, sql, filePath) => {
      expect(findings(sql, filePath)).toEqual([]);
    });
  });

  it('is the only rule reporting the rename', () => {
    expect(lint('ALTER TABLE customers RENAME TO clients;').map((f) => f.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE]);
  });
});

describe(`${RULE}: rebuilds and swaps keep the old name`, () => {
  it.each([
    ['rebuilt under the old name', 'ALTER TABLE devices RENAME TO _bkp_devices;\nCREATE TABLE devices (id bigint);'],
    ['a name the file gave', 'ALTER TABLE devices RENAME TO devices_tmp;\nCREATE TABLE devices (id int);\nALTER TABLE devices_tmp RENAME TO devices_old;'],
  ])('%s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });
});

it(`${RULE}: in a swap, only the rename that retires a name is reported`, () => {
  const sql = 'ALTER TABLE devices RENAME TO devices_old;\nALTER TABLE devices_new RENAME TO devices;';
  expect(findings(sql).map((finding) => textOf(sql, finding))).toEqual(['RENAME TO devices']);
});

it(`${RULE}: a rename back in the down section of the same file keeps nothing running`, () => {
  expect(findings('-- migrate:up\nALTER TABLE orders RENAME TO purchases;\n-- migrate:down\nALTER TABLE purchases RENAME TO orders;\n')).toHaveLength(1);
});
