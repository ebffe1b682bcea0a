import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildStatements } from '../../server/src/engine/model/build';
import { defaultOptions } from '../../server/src/engine/options';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { earlierMigrations, upSection } from '../../server/src/engine/staging/migration-order';
import { planStatements } from '../../server/src/engine/staging/plan';
import { LineIndex } from '../../server/src/engine/text/positions';

async function plan(text: string) {
  const parser = await PostgresParser.load();
  const statements = buildStatements(text, parser, defaultOptions());
  const lines = new LineIndex(text);
  return planStatements(statements, (s) => ({ index: s.index, range: s.range, start: lines.positionAt(s.range.start), end: lines.positionAt(s.range.end), text: s.text }), 17);
}

describe('what the check runs', () => {
  it('runs ordinary statements; never BEGIN/COMMIT, CONCURRENTLY forms, VACUUM, COPY FROM STDIN or meta-commands', async () => {
    const steps = await plan(
      [
        'BEGIN;',
        'CREATE UNIQUE INDEX a ON t (x);',
        'ALTER TABLE t ADD COLUMN y int;',
        'COMMIT;',
        'CREATE INDEX CONCURRENTLY b ON public.t (y);',
        'REINDEX (CONCURRENTLY) TABLE t;',
        'VACUUM t;',
        'ALTER SYSTEM SET work_mem = 1;',
        'COPY t FROM STDIN;',
        '\\set x 1',
        'UPDATE t SET y = 1;',
        'SELEC 1;',
      ].join('\n'),
    );
    expect(steps.map((step) => [step.label, step.action, step.action === 'skip' ? step.reason.kind : undefined])).toEqual([
      ['BEGIN', 'skip', 'transaction-control'],
      ['CREATE UNIQUE INDEX', 'run', undefined],
      ['ALTER TABLE', 'run', undefined],
      ['COMMIT', 'skip', 'transaction-control'],
      ['CREATE INDEX CONCURRENTLY', 'skip', 'non-transactional'],
      ['REINDEX CONCURRENTLY', 'skip', 'non-transactional'],
      ['VACUUM', 'skip', 'non-transactional'],
      ['ALTER SYSTEM', 'skip', 'non-transactional'],
      ['COPY', 'skip', 'unsupported'],
      ['\\set', 'skip', 'meta-command'],
      ['UPDATE', 'run', undefined],
      ['SELEC', 'reject', undefined],
    ]);
    const concurrent = steps[4]!;
    if (concurrent.action !== 'skip') throw new Error();
    expect(concurrent.equivalent).toBe('CREATE INDEX b ON public.t (y)');
    expect(concurrent.knownLocks).toMatchObject([{ relation: 'public.t', mode: 'SHARE UPDATE EXCLUSIVE', work: 'index-build' }]);
    const reindex = steps[5]!;
    expect(reindex.action === 'skip' && reindex.equivalent).toBe('REINDEX TABLE t');
    expect(steps[11]).toMatchObject({ action: 'reject', message: expect.stringContaining('syntax error') });
    expect(steps[2]!.start).toEqual({ line: 2, character: 0 });
  });
});

describe('earlier migrations, in the tool’s order', () => {
  const root = mkdtempSync(join(tmpdir(), 'lockguard-order-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const touch = (path: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), 'SELECT 1;');
    return join(root, path);
  };

  it('Flyway: versions compare numerically, repeatables last, undo scripts skipped', () => {
    for (const name of ['V1__init.sql', 'V2__b.sql', 'V10__c.sql', 'V1_1__a.sql', 'U2__undo.sql', 'R__views.sql']) touch(`flyway/${name}`);
    expect(earlierMigrations(join(root, 'flyway', 'V10__c.sql')).map((path) => path.slice(root.length + 8))).toEqual(['V1__init.sql', 'V1_1__a.sql', 'V2__b.sql']);
    expect(earlierMigrations(join(root, 'flyway', 'R__views.sql')).map((path) => path.slice(root.length + 8))).toEqual(['V1__init.sql', 'V1_1__a.sql', 'V2__b.sql', 'V10__c.sql']);
  });

  it('golang-migrate and numbered files: up files only; Prisma folders by timestamp', () => {
    for (const name of ['1_a.up.sql', '1_a.down.sql', '2_b.up.sql', '10_c.up.sql']) touch(`gm/${name}`);
    expect(earlierMigrations(join(root, 'gm', '10_c.up.sql')).map((path) => path.slice(root.length + 4))).toEqual(['1_a.up.sql', '2_b.up.sql']);
    touch('prisma/20240101000000_init/migration.sql');
    touch('prisma/20240301000000_more/migration.sql');
    const third = touch('prisma/20240201000000_mid/migration.sql');
    expect(earlierMigrations(third)).toEqual([join(root, 'prisma/20240101000000_init/migration.sql')]);
  });

  it('runs only the up section of dbmate and node-pg-migrate files', () => {
    expect(upSection('-- migrate:up\nCREATE TABLE a ();\n-- migrate:down\nDROP TABLE a;\n')).toBe('-- migrate:up\nCREATE TABLE a ();\n');
    expect(upSection('-- Up Migration\nCREATE TABLE a ();\n-- Down Migration\nDROP TABLE a;')).toBe('-- Up Migration\nCREATE TABLE a ();\n');
  });
});
