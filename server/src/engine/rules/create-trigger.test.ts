import { describe, expect, it } from 'vitest';
import { findingsOf, lint, textOf } from '../../../../test/helpers/lint';

const RULE = 'create-trigger';
const findings = (sql: string) => findingsOf(RULE, sql);
/** Rule ids that fire, besides the timeout hygiene rules that fire on any lock. */
const ruleIds = (sql: string) => lint(sql).map((finding) => finding.ruleId).filter((id) => !id.startsWith('missing-'));

describe(RULE, () => {
  it('warns about the SHARE ROW EXCLUSIVE lock and the code that runs on every write, underlining CREATE … TRIGGER', () => {
    const sql = 'CREATE OR REPLACE TRIGGER orders_audit AFTER INSERT OR UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION audit();';
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('warning');
    expect(textOf(sql, finding!)).toBe('CREATE OR REPLACE TRIGGER');
    expect(finding!.message).toContain('SHARE ROW EXCLUSIVE lock on app.orders');
    expect(finding!.message).toContain('INSERT, UPDATE and DELETE wait');
    expect(finding!.message).toContain('every INSERT or UPDATE on app.orders');
    expect(finding!.message).toMatch(/lock_timeout/);
    expect(finding!.lock).toEqual({ mode: 'SHARE ROW EXCLUSIVE', relation: expect.objectContaining({ schema: 'app', name: 'orders' }), blocks: expect.arrayContaining(['INSERT', 'UPDATE', 'DELETE']) });
    expect(finding!.lock!.blocks).not.toContain('SELECT');
    expect(finding!.fixes).toEqual([]);
  });

  it('flags constraint triggers too', () => {
    expect(findings('CREATE CONSTRAINT TRIGGER c AFTER DELETE ON orders DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();')[0]!.message).toContain('every DELETE');
  });

  it('exempts tables created earlier in the file, and nothing else', () => {
    expect(findings('CREATE TABLE orders (id int);\nCREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();')).toEqual([]);
    expect(findings('CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();\nCREATE TABLE orders (id int);')).toHaveLength(1);
  });

  it('is the only rule that fires on a CREATE TRIGGER', () => {
    expect(ruleIds('CREATE TRIGGER t BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION f();')).toEqual([RULE]);
  });

  describe('inside a transaction that already holds the lock', () => {
    const create = 'CREATE TRIGGER orders_audit AFTER UPDATE ON app.orders FOR EACH ROW EXECUTE FUNCTION audit_order();';

    it('stays quiet when the transaction just dropped the same trigger on the same table (drop-trigger reports the pair)', () => {
      const sql = `BEGIN;\nDROP TRIGGER IF EXISTS orders_audit ON app.orders;\n${create}\nCOMMIT;`;
      expect(findings(sql)).toEqual([]);
      expect(ruleIds(sql)).toContain('drop-trigger');
    });

    it('still warns after dropping another trigger of the table (its ACCESS EXCLUSIVE lock is held: no lock advice)', () => {
      const [finding] = findings(`BEGIN;\nDROP TRIGGER IF EXISTS orders_log ON app.orders;\n${create}\nCOMMIT;`);
      expect(finding!.message).toMatch(/^Once CREATE TRIGGER commits, the function runs inside every UPDATE on app\.orders/);
    });

    it('still warns, with the lock, after dropping a trigger of the same name on another table', () => {
      const [finding] = findings(`BEGIN;\nDROP TRIGGER IF EXISTS orders_audit ON app.invoices;\n${create}\nCOMMIT;`);
      expect(finding!.message).toContain('SHARE ROW EXCLUSIVE lock on app.orders');
    });

    it('keeps only what the trigger does when an earlier statement holds a lock at least as strong', () => {
      const sql = `BEGIN;\nALTER TABLE app.orders ADD COLUMN audited_at timestamptz;\n${create}\nCOMMIT;`;
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe('CREATE TRIGGER');
      expect(finding!.message).toBe('Once CREATE TRIGGER commits, the function runs inside every UPDATE on app.orders: it adds time to each one, and an error in it fails them.');
      expect(finding!.lock).toBeUndefined();
    });

    it('keeps the lock advice when the earlier lock is weaker, or was released by a COMMIT', () => {
      const weaker = findings(`BEGIN;\nCREATE INDEX orders_note ON app.orders (note);\n${create}\nCOMMIT;`)[0]!;
      expect(weaker.message).toContain('SHARE ROW EXCLUSIVE lock on app.orders');
      const released = findings(`BEGIN;\nDROP TRIGGER IF EXISTS orders_audit ON app.orders;\nCOMMIT;\n${create}`)[0]!;
      expect(released.message).toContain('SHARE ROW EXCLUSIVE lock on app.orders');
      expect(released.message).toMatch(/lock_timeout/);
    });
  });

  describe('asks for a lock_timeout only when none is in force', () => {
    const create = 'CREATE TRIGGER orders_audit AFTER UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION audit_order();';
    it.each([
      ['SET before it', `SET lock_timeout = '2s';\n${create}`],
      ['SET LOCAL earlier in its transaction', `BEGIN;\nSET LOCAL lock_timeout = '2s';\n${create}\nCOMMIT;`],
      ['a session SET before the transaction', `SET lock_timeout = '2s';\nBEGIN;\n${create}\nCOMMIT;`],
    ])('%s: still a warning about the trigger, without the timeout advice', (_name, sql) => {
      const [finding, ...others] = findings(sql);
      expect(others).toEqual([]);
      expect(finding!.severity).toBe('warning');
      expect(textOf(sql, finding!)).toBe('CREATE TRIGGER');
      expect(finding!.message).toContain('every UPDATE on orders');
      expect(finding!.message).not.toMatch(/lock_timeout/);
      expect(finding!.message).toMatch(/Commit right after it/);
    });

    it.each([
      ['set to 0', `SET lock_timeout = 0;\n${create}`],
      ['SET LOCAL of an earlier transaction', `BEGIN;\nSET LOCAL lock_timeout = '2s';\nCOMMIT;\n${create}`],
      ['set after it', `${create}\nSET lock_timeout = '2s';`],
    ])('%s: still asks for one', (_name, sql) => {
      expect(findings(sql)[0]!.message).toContain('Set a short lock_timeout before it');
    });
  });
});
