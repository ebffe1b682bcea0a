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
