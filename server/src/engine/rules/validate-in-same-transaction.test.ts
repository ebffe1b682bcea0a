import { describe, expect, it } from 'vitest';
import { applyFix, findingsOf, lintWithoutHygiene, textOf } from '../../../../test/helpers/lint';
import { buildStatements } from '../model/build';
import { schemaAfter } from '../model/schema/replay';
import { defaultOptions } from '../options';
import { PostgresParser } from '../parse/parser';

const parser = await PostgresParser.load();
/** The schema earlier migrations of the set leave, as the CLI and the editor pass it. */
const priorSchemaOf = (sql: string) => schemaAfter(buildStatements(sql, parser, defaultOptions()));

const RULE = 'validate-in-same-transaction';
const findings = (sql: string, options = {}) => findingsOf(RULE, sql, options);
// Hygiene rules (timeouts, IF NOT EXISTS, …) flag most migrations: not what these tests are about.
const ruleIds = (sql: string, options = {}) => lintWithoutHygiene(sql, options).map((finding) => finding.ruleId);
const block = (...statements: string[]) => ['BEGIN;', ...statements, 'COMMIT;', ''].join('\n');
const ADD_CHECK = 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;';
const VALIDATE = 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;';

describe(RULE, () => {
  it('flags VALIDATE after ADD … NOT VALID in one BEGIN … COMMIT, and moves it after COMMIT', () => {
    const sql = block(ADD_CHECK, VALIDATE);
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(
      /ACCESS EXCLUSIVE lock the ADD took on orders is still held .* every read and write on the table waits/,
    );
    expect(textOf(sql, finding!)).toBe('ALTER TABLE orders VALIDATE');
    expect(finding!.related.map((related) => sql.slice(related.range.start, related.range.end))).toEqual([ADD_CHECK.slice(0, -1)]);
    const fixed = applyFix(sql, finding!.fixes[0]!);
    expect(fixed).toBe(`BEGIN;\n${ADD_CHECK}\nCOMMIT;\n\n${VALIDATE}\n`);
    expect(ruleIds(fixed)).toEqual([]);
  });

  it('names both tables of a foreign key, whose SHARE ROW EXCLUSIVE blocks writes', () => {
    const sql = block(
      'ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_id_fkey;',
    );
    const [finding] = findings(sql);
    expect(finding!.message).toMatch(
      /SHARE ROW EXCLUSIVE lock the ADD took on orders and customers .* writes \(INSERT, UPDATE, DELETE\) wait/,
    );
  });

  // drizzle-sim 0243_kb_workspace_cascade.sql: the FK is dropped and re-added NOT VALID, then validated.
  it('says reads wait too when an earlier statement of the transaction holds ACCESS EXCLUSIVE on the table', () => {
    const sql = block(
      'ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;',
      'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers ON DELETE CASCADE NOT VALID;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;',
    );
    const [finding, ...others] = findings(sql);
    expect(others).toEqual([]);
    expect(finding!.message).toContain(
      'the SHARE ROW EXCLUSIVE lock the ADD took on orders and customers is still held (locks last until COMMIT), and so is the ACCESS EXCLUSIVE lock line 2 took on orders: every read and write on the table waits',
    );
    expect(finding!.message).not.toContain('plain reads continue');
    expect(finding!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: { name: 'orders' } });
  });

  it('is the only rule reporting it (lock-held-across-slow-statement leaves it here)', () => {
    expect(ruleIds(block('ALTER TABLE orders ADD COLUMN note text;', ADD_CHECK, VALIDATE))).toEqual([RULE]);
  });

  it('in a file the migration tool wraps, says VALIDATE belongs in the next migration', () => {
    const [finding] = findings(`-- migrate:up\n${ADD_CHECK}\n${VALIDATE}\n`);
    expect(finding!.fixes).toEqual([]);
    expect(finding!.noFixReason).toMatch(
      /dbmate runs this whole file in one transaction\. Run VALIDATE CONSTRAINT in the next migration, outside this transaction\./,
    );
  });

  // Review round 5 #79/#80 (drizzle-sim 0272, 0243): Drizzle's migrator runs every pending file in one transaction,
  // so the next migration is no way out; a COMMIT the file writes itself is.
  describe('under Drizzle (every pending migration in one transaction)', () => {
    const drizzle = { filePath: 'packages/db/migrations/0272_generic_folders.sql' };
    const breakpoint = '--> statement-breakpoint\n';

    it('moves VALIDATE after the COMMIT the file writes', () => {
      const sql = `${ADD_CHECK}\n${breakpoint}${VALIDATE}\n${breakpoint}COMMIT;\n`;
      const [finding] = findings(sql, drizzle);
      const fixed = applyFix(sql, finding!.fixes[0]!);
      expect(fixed.indexOf(VALIDATE)).toBeGreaterThan(fixed.indexOf('COMMIT;'));
      expect(findings(fixed, drizzle)).toEqual([]);
    });

    it('without one, does not send VALIDATE to the next migration, which shares the transaction', () => {
      const [finding] = findings(`${ADD_CHECK}\n${breakpoint}${VALIDATE}\n`, drizzle);
      expect(finding!.fixes).toEqual([]);
      expect(finding!.noFixReason).toMatch(
        /^Drizzle runs this whole file, and every other pending migration, in one transaction: the next migration would still hold the lock\. Run VALIDATE CONSTRAINT by hand \(e\.g\. with psql\) after Drizzle has run the migrations/,
      );
      expect(finding!.noFixReason).not.toContain('into the next migration');
    });
  });

  it.each([
    ['autocommit', `${ADD_CHECK}\n${VALIDATE}`],
    ['separate transactions', block(ADD_CHECK) + block(VALIDATE)],
    ['a constraint added in an earlier migration', block(VALIDATE)],
    ['another constraint', block(ADD_CHECK, 'ALTER TABLE orders VALIDATE CONSTRAINT other_check;')],
    ['same name on another table', block(ADD_CHECK, 'ALTER TABLE invoices VALIDATE CONSTRAINT orders_total_check;')],
    ['table created in the file', block('CREATE TABLE orders (total int);', ADD_CHECK, VALIDATE)],
  ])('stays quiet: %s', (_name, sql) => {
    expect(findings(sql)).toEqual([]);
  });
});

// Review round 7 #80 (drizzle-sim 0243_kb_workspace_cascade.sql): the dropped foreign key's ACCESS EXCLUSIVE is on
// the referenced table too, so reads of workspace wait for the validation as well.
describe(`${RULE}: a foreign key dropped earlier in the transaction`, () => {
  it('names the referenced table among the tables held ACCESS EXCLUSIVE', () => {
    const priorSchema = priorSchemaOf(
      'CREATE TABLE workspace (id text PRIMARY KEY);\nCREATE TABLE knowledge_base (id text PRIMARY KEY, workspace_id text CONSTRAINT kb_ws_fk REFERENCES workspace);',
    );
    const sql = block(
      'ALTER TABLE knowledge_base DROP CONSTRAINT kb_ws_fk;',
      'ALTER TABLE knowledge_base ADD CONSTRAINT kb_ws_fk FOREIGN KEY (workspace_id) REFERENCES workspace (id) ON DELETE CASCADE NOT VALID;',
      'ALTER TABLE knowledge_base VALIDATE CONSTRAINT kb_ws_fk;',
    );
    const [finding] = findings(sql, { priorSchema });
    expect(finding!.message).toContain(
      'the ACCESS EXCLUSIVE lock line 2 took on knowledge_base and workspace: every read and write on them waits',
    );
  });
});
