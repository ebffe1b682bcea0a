import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const RULE = 'drop-trigger';
const findings = (sql: string) => findingsOf(RULE, sql);

describe(RULE, () => {
  it('warns about the ACCESS EXCLUSIVE lock on the table and what stops running', () => {
    const sql = 'DROP TRIGGER IF EXISTS orders_audit ON app.orders CASCADE;';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('DROP TRIGGER');
    expect(finding!.message).toContain('ACCESS EXCLUSIVE lock on app.orders');
    expect(finding!.message).toMatch(/no longer run the trigger/);
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { schema: 'app', name: 'orders' }, blocks: expect.arrayContaining(['SELECT', 'INSERT']) });
  });

  it('stays quiet for a table created earlier in the file', () => {
    expect(findings('CREATE TABLE orders (id int);\nCREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER t ON orders;')).toEqual([]);
  });

  it('is the only rule that fires on a DROP TRIGGER', () => {
    expect(lint('DROP TRIGGER t ON orders;').map((finding) => finding.ruleId).filter((id) => !id.startsWith('missing-'))).toEqual([RULE]);
  });
});

it(`${RULE}: stays quiet when the file drops the table afterwards (drop-table reports that)`, () => {
  expect(findingsOf(RULE, 'DROP TRIGGER t ON orders;\nDROP TABLE orders;')).toEqual([]);
  expect(findingsOf(RULE, 'DROP TRIGGER t ON orders;\nDROP TABLE customers;')).toHaveLength(1);
});

describe(`${RULE}: a trigger the file creates again`, () => {
  const sql = 'DROP TRIGGER IF EXISTS t ON orders;\nCREATE TRIGGER t AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();';

  it('PostgreSQL 14+: points to CREATE OR REPLACE TRIGGER instead of saying writes stop running it', () => {
    const [finding] = findingsOf(RULE, sql, { pgVersion: 14 });
    expect(finding!.message).toMatch(/Line 2 creates it again: CREATE OR REPLACE TRIGGER \(PostgreSQL 14\+\)/);
    expect(finding!.message).not.toMatch(/no longer run/);
  });

  it('before 14, or for a constraint trigger, only says when it comes back', () => {
    expect(findingsOf(RULE, sql, { pgVersion: 13 })[0]!.message).toMatch(/Line 2 creates it again; until then, writes do not run it/);
    const constraint = 'DROP TRIGGER t ON orders;\nCREATE CONSTRAINT TRIGGER t AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();';
    expect(findingsOf(RULE, constraint, { pgVersion: 17 })[0]!.message).not.toMatch(/OR REPLACE/);
  });

  it('a trigger of the same name on another table does not count', () => {
    const other = 'DROP TRIGGER t ON orders;\nCREATE TRIGGER t AFTER UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION f();';
    expect(findingsOf(RULE, other)[0]!.message).toMatch(/no longer run the trigger/);
  });

  describe('asks for a lock_timeout only when none is in force', () => {
    it.each([
      ['SET before it', "SET lock_timeout = '2s';\nDROP TRIGGER orders_audit ON orders;"],
      ['SET LOCAL earlier in its transaction', "BEGIN;\nSET LOCAL lock_timeout = '2s';\nDROP TRIGGER orders_audit ON orders;\nCOMMIT;"],
    ])('%s: still a warning about what stops running, without the timeout advice', (_name, sql) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe('DROP TRIGGER');
      expect(finding!.message).toContain('writes no longer run the trigger');
      expect(finding!.message).not.toMatch(/lock_timeout/);
    });

    it('still asks for one when the SET LOCAL belonged to an earlier transaction', () => {
      const sql = "BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\nDROP TRIGGER orders_audit ON orders;";
      expect(findings(sql)[0]!.message).toContain('Set a short lock_timeout before it');
    });
  });
});

describe(`${RULE}: DROP TRIGGER IF EXISTS guarding the file's first CREATE TRIGGER`, async () => {
  const parser = await PostgresParser.load();
  const priorSchema = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));
  // dbmate lobu 20260610040000_events_append_only_guard.sql: the baseline (a pg_dump) created events, and no trigger of this name.
  const guard =
    'DROP TRIGGER IF EXISTS trg_events_append_only ON public.events;\n' +
    'CREATE TRIGGER trg_events_append_only BEFORE DELETE ON public.events FOR EACH ROW EXECUTE FUNCTION public.events_block_direct_delete();';
  const baseline = 'CREATE TABLE public.events (id bigint PRIMARY KEY, payload jsonb);\nCREATE TRIGGER events_touch BEFORE UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION touch();';

  it('stays quiet when the earlier migrations created the table and show all its triggers, none of them this one', () => {
    // dbmate runs the file in one transaction.
    const inTransaction = `BEGIN;\n${guard}\nCOMMIT;`;
    const options = { priorSchema: priorSchema(baseline) };
    expect(findingsOf(RULE, inTransaction, options)).toEqual([]);
    // The CREATE TRIGGER's own lock is create-trigger's story: the guard neither dropped a running trigger nor holds a lock.
    const [create, ...others] = findingsOf('create-trigger', inTransaction, options);
    expect(others).toEqual([]);
    expect([textOf(inTransaction, create!), create!.lock?.mode]).toEqual(['CREATE TRIGGER', 'SHARE ROW EXCLUSIVE']);
    expect(create!.message).toMatch(/^CREATE TRIGGER takes a SHARE ROW EXCLUSIVE lock on public\.events/);
    // missing-lock-timeout (lobu line 44, round 3) names the CREATE TRIGGER's lock, not the guard's ACCESS EXCLUSIVE that is never taken.
    const timeouts = findingsOf('missing-lock-timeout', guard, options).map((finding) => [textOf(guard, finding).split(' ').slice(0, 2).join(' '), finding.lock?.mode]);
    expect(timeouts).toEqual([['CREATE TRIGGER', 'SHARE ROW EXCLUSIVE']]);
  });

  it('stays quiet when the trigger the migrations made was dropped or renamed since', () => {
    const dropped = `${baseline}\nCREATE TRIGGER trg_events_append_only BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION f();\nDROP TRIGGER trg_events_append_only ON events;`;
    expect(findingsOf(RULE, guard, { priorSchema: priorSchema(dropped) })).toEqual([]);
    const renamed = `${baseline}\nCREATE TRIGGER trg_events_append_only BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION f();\nALTER TRIGGER trg_events_append_only ON events RENAME TO trg_old;`;
    expect(findingsOf(RULE, guard, { priorSchema: priorSchema(renamed) })).toEqual([]);
  });

  const reported = (sql: string, earlier: string | undefined) => {
    const found = findingsOf(RULE, sql, earlier === undefined ? {} : { priorSchema: priorSchema(earlier) });
    return found.map((finding) => [finding.ruleId, finding.severity, textOf(sql, finding), finding.lock?.mode]);
  };
  const ACCESS_EXCLUSIVE = [[RULE, 'warning', 'DROP TRIGGER', 'ACCESS EXCLUSIVE']];

  it.each([
    // goose thunderdome 20230823233842 (round 2 #37): a baseline adopting a v2 database, whose tables may carry the v2 triggers.
    ['the table was adopted with CREATE TABLE IF NOT EXISTS', 'CREATE TABLE IF NOT EXISTS public.events (id bigint PRIMARY KEY);'],
    ['an earlier migration created the trigger', `${baseline}\nCREATE TRIGGER trg_events_append_only BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION f();`],
    ['the table is a partition (its parent\'s triggers are cloned onto it)', 'CREATE TABLE log (at date) PARTITION BY RANGE (at);\nCREATE TABLE public.events PARTITION OF log FOR VALUES FROM (\'2020-01-01\') TO (\'2030-01-01\');'],
    ['the earlier migrations are not known', undefined],
  ])('reports it when %s', (_name, earlier) => {
    expect(reported(guard, earlier)).toEqual(ACCESS_EXCLUSIVE);
  });

  it('reports it without IF EXISTS, or when the file does not create the trigger afterwards', () => {
    expect(reported(guard.replace(' IF EXISTS', ''), baseline)).toEqual(ACCESS_EXCLUSIVE);
    // A trigger made outside the migrations (by hand, by dynamic SQL) is the likelier story then.
    expect(reported('DROP TRIGGER IF EXISTS trg_events_append_only ON public.events;', baseline)).toEqual(ACCESS_EXCLUSIVE);
  });
});

// Review round 7 #35 (supabase-midday remote_schema): dropped and created again in one transaction, no write misses the
// trigger, committing between them would open that window, and other ACCESS EXCLUSIVE locks keep reads waiting anyway.
describe(`${RULE}: a trigger created again in the same transaction`, () => {
  const recreate = 'CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f();';

  it('does not advise committing right after the drop, and says no write misses the trigger', () => {
    const [finding] = findingsOf(RULE, `BEGIN;\nDROP TRIGGER t ON orders;\n${recreate}\nCOMMIT;\n`, { pgVersion: 17 });
    expect(finding!.message).toContain('Line 3 creates it again in the same transaction, so no write misses it.');
    expect(finding!.message).toContain('under SHARE ROW EXCLUSIVE, so reads go on.');
    expect(finding!.message).toMatch(/Keep what runs before line 3 short: the lock is held until the commit\.$/);
    expect(finding!.message).not.toContain('commit right after it');
  });

  it('does not promise reads go on when the transaction locks the table ACCESS EXCLUSIVE anyway', () => {
    const sql = `BEGIN;\nDROP TRIGGER t ON orders;\nALTER TABLE orders ADD COLUMN note text;\n${recreate}\nCOMMIT;\n`;
    const [finding] = findingsOf(RULE, sql, { pgVersion: 17 });
    expect(finding!.message).toContain('though line 3 locks the table ACCESS EXCLUSIVE in this transaction anyway');
    expect(finding!.message).not.toContain('reads go on');
  });
});

// Review round 9 #36 (golang-migrate-pkgsite 000086): the transaction already holds the table ACCESS EXCLUSIVE (it
// drops the column the trigger filled), so the drop waits for no one and queues no one.
describe(`${RULE}: a table the transaction already holds ACCESS EXCLUSIVE`, () => {
  it('is quiet', () => {
    expect(findingsOf(RULE, 'BEGIN;\nALTER TABLE documentation DROP COLUMN id;\nDROP TRIGGER documentation_id_update ON documentation;\nEND;\n')).toEqual([]);
  });

  it('still reports when the earlier lock is weaker, or in another transaction', () => {
    expect(findingsOf(RULE, 'BEGIN;\nCREATE INDEX ON documentation (path);\nDROP TRIGGER documentation_id_update ON documentation;\nEND;\n')).toHaveLength(1);
    expect(findingsOf(RULE, 'ALTER TABLE documentation DROP COLUMN id;\nDROP TRIGGER documentation_id_update ON documentation;\n')).toHaveLength(1);
  });
});
