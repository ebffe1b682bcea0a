import { describe, expect, it } from 'vitest';
import type { LockMode } from '../../server/src/engine/locks/lock-modes';
import type { CheckTarget, OperationVerdict, RelationLabel, StatementResult, StatementTrace } from '../../server/src/engine/staging/report';
import { diffSnapshots, segmentModes, type Snapshot } from '../../server/src/engine/staging/snapshot';
import { lockSpans, tableTotals } from '../../server/src/engine/staging/spans';

// The staging check keeps every transaction of the migration in its one transaction (docs/staging-check.md,
// "Transaction segments"): a later transaction's locks are the modes it holds beyond the earlier ones', and
// a blocking lock counts against the traffic only while work that grows with the table runs under it.

const ORDERS = 16_400;
const ORDERS_PKEY = 16_401;
const NEW_INDEX = 16_500;

/** A snapshot of the traced session: oid → modes held (pg_locks has one row per mode), and the relations. */
function snapshot(modes: Record<number, LockMode[]>, relations: Record<number, RelationLabel & { filenode?: number }> = RELATIONS): Snapshot {
  return {
    locks: new Map(Object.entries(modes).map(([oid, held]) => [Number(oid), held.at(-1)!])),
    modes: new Map(Object.entries(modes).map(([oid, held]) => [Number(oid), new Set(held)])),
    relations: new Map(
      Object.entries(relations).map(([oid, label]) => {
        const tableOid = label.kind === 'index' ? ORDERS : Number(oid);
        return [Number(oid), { oid: Number(oid), label: { name: label.name, kind: label.kind, table: label.table }, tableOid, filenode: label.filenode ?? Number(oid), hasChildren: false }];
      }),
    ),
    stats: new Map([[ORDERS, { seqScan: 0, seqRead: 0, touched: 0 }]]),
  };
}

const RELATIONS: Record<number, RelationLabel> = {
  [ORDERS]: { name: 'public.orders', kind: 'table', table: 'public.orders' },
  [ORDERS_PKEY]: { name: 'public.orders_pkey', kind: 'index', table: 'public.orders' },
};
const WITH_NEW_INDEX: Record<number, RelationLabel> = { ...RELATIONS, [NEW_INDEX]: { name: 'public.orders_status_idx', kind: 'index', table: 'public.orders' } };

describe('segmentModes: the locks of a later transaction of the migration', () => {
  it('are the modes it holds beyond those the earlier transactions still hold in the check', () => {
    const earlier = new Map([[ORDERS, new Set<LockMode>(['ACCESS EXCLUSIVE'])]]);
    // NOT VALID (ACCESS EXCLUSIVE), COMMIT, VALIDATE (SHARE UPDATE EXCLUSIVE): the check holds both.
    const now = snapshot({ [ORDERS]: ['SHARE UPDATE EXCLUSIVE', 'ACCESS EXCLUSIVE'] });
    expect(segmentModes(now, earlier)).toEqual(new Map([[ORDERS, 'SHARE UPDATE EXCLUSIVE']]));
  });

  it('are nothing when the later transaction requests only modes held already: pg_locks cannot show it', () => {
    const earlier = new Map([[ORDERS, new Set<LockMode>(['ACCESS EXCLUSIVE'])]]);
    expect(segmentModes(snapshot({ [ORDERS]: ['ACCESS EXCLUSIVE'] }), earlier)).toEqual(new Map());
  });

  it('are every lock, strongest mode per relation, in the first transaction', () => {
    expect(segmentModes(snapshot({ [ORDERS]: ['ACCESS SHARE', 'SHARE'], [NEW_INDEX]: ['ACCESS EXCLUSIVE'] }), new Map())).toEqual(
      new Map<number, LockMode>([
        [ORDERS, 'SHARE'],
        [NEW_INDEX, 'ACCESS EXCLUSIVE'],
      ]),
    );
  });
});

describe('diffSnapshots across transactions', () => {
  const context = (earlier: Record<number, LockMode[]>) => ({
    existing: new Set([ORDERS, ORDERS_PKEY]),
    earlierSegments: new Map(Object.entries(earlier).map(([oid, modes]) => [Number(oid), new Set(modes)])),
    firstSeen: new Map(Object.entries(WITH_NEW_INDEX).map(([oid, label]) => [Number(oid), { ...label, tableOid: label.kind === 'index' ? ORDERS : Number(oid) }])),
  });
  const locks = (traced: readonly { relation: RelationLabel; mode: LockMode; createdByMigration: boolean }[]) => traced.map((lock) => [lock.relation.name, lock.mode, lock.createdByMigration]);

  it('a CREATE INDEX after an autocommitted ADD COLUMN holds SHARE (and its new index), not the earlier ACCESS EXCLUSIVE', () => {
    const before = snapshot({ [ORDERS]: ['ACCESS EXCLUSIVE'] });
    const after = snapshot({ [ORDERS]: ['SHARE', 'ACCESS EXCLUSIVE'], [NEW_INDEX]: ['ACCESS EXCLUSIVE'] }, WITH_NEW_INDEX);
    const diff = diffSnapshots(before, after, context({ [ORDERS]: ['ACCESS EXCLUSIVE'] }));
    expect(locks(diff.locksHeld)).toEqual([
      ['public.orders', 'SHARE', false],
      ['public.orders_status_idx', 'ACCESS EXCLUSIVE', true],
    ]);
    expect(locks(diff.locksAcquired)).toEqual(locks(diff.locksHeld));
  });

  it('the same statements in one transaction: the index build adds no lock, and the transaction holds ACCESS EXCLUSIVE', () => {
    const before = snapshot({ [ORDERS]: ['ACCESS EXCLUSIVE'] });
    const after = snapshot({ [ORDERS]: ['SHARE', 'ACCESS EXCLUSIVE'], [NEW_INDEX]: ['ACCESS EXCLUSIVE'] }, WITH_NEW_INDEX);
    const diff = diffSnapshots(before, after, context({}));
    expect(locks(diff.locksHeld)).toEqual([
      ['public.orders', 'ACCESS EXCLUSIVE', false],
      ['public.orders_status_idx', 'ACCESS EXCLUSIVE', true],
    ]);
    expect(locks(diff.locksAcquired)).toEqual([['public.orders_status_idx', 'ACCESS EXCLUSIVE', true]]);
  });
});

describe('lockSpans and tableTotals', () => {
  const staging: CheckTarget = { kind: 'staging', url: 'postgres://app@staging/app', serverVersion: '17.10', major: 17 };
  const embedded: CheckTarget = { kind: 'embedded', engine: 'PGlite', serverVersion: '18.6', major: 18, replayedMigrations: [] };
  const blocked = (operations: readonly string[]): OperationVerdict[] => (['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL'] as const).map((operation) => ({ operation, blocked: operations.includes(operation), evidence: 'measured' }));
  const ALL = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'DDL'];
  const WRITES = ['INSERT', 'UPDATE', 'DELETE', 'DDL'];

  function traced(index: number, segment: number, mode: LockMode, operations: readonly string[], work: Partial<StatementTrace> = {}): StatementResult {
    return {
      index,
      range: { start: index * 10, end: index * 10 + 9 },
      start: { line: index, character: 0 },
      end: { line: index, character: 9 },
      text: `statement ${index}`,
      label: `statement ${index}`,
      status: 'traced',
      trace: {
        locksAcquired: [],
        locksHeld: [{ relation: RELATIONS[ORDERS]!, mode, createdByMigration: false }],
        rewritten: [],
        fullScans: [],
        rowsTouched: 0,
        duration: { kind: 'measured', ms: 10 * (index + 1) },
        blocking: [{ table: 'public.orders', strongestMode: mode, operations: blocked(operations) }],
        estimate: { kind: 'not-estimated', reason: 'no production sizes' },
        segment,
        ...work,
      },
    };
  }
  const scan = { fullScans: [{ table: 'public.orders', scans: 1, rowsRead: 200_000 }] };

  it('NOT VALID, COMMIT, VALIDATE: one brief span of ACCESS EXCLUSIVE; the scan runs under a lock that blocks only DDL', () => {
    const statements = [traced(0, 0, 'ACCESS EXCLUSIVE', ALL), traced(1, 1, 'SHARE UPDATE EXCLUSIVE', ['DDL'], scan)];
    const spans = lockSpans(statements, staging);
    expect(spans).toEqual([{ table: 'public.orders', mode: 'ACCESS EXCLUSIVE', operations: blocked(ALL), from: 0, until: 0, slow: false, stagingMs: 10, production: undefined }]);
    expect(spans.some((span) => span.slow)).toBe(false);
  });

  it('the same statements in one transaction: ACCESS EXCLUSIVE from the first until the last statement, while the scan runs', () => {
    const statements = [traced(0, 0, 'ACCESS EXCLUSIVE', ALL), traced(1, 0, 'ACCESS EXCLUSIVE', ALL, scan)];
    expect(lockSpans(statements, staging)).toEqual([{ table: 'public.orders', mode: 'ACCESS EXCLUSIVE', operations: blocked(ALL), from: 0, until: 1, slow: true, stagingMs: 30, production: undefined }]);
  });

  it('per table, the mode held while work ran: an index build after a catalog change is SHARE for its time, not ACCESS EXCLUSIVE', () => {
    const estimate = { kind: 'estimated', lowMs: 2_000, highMs: 8_000, productionRows: 2e6, stagingRows: 2e5, table: 'public.orders', model: 'n-log-n' } as unknown as StatementTrace['estimate'];
    const statements = [traced(0, 0, 'ACCESS EXCLUSIVE', ALL), traced(1, 1, 'SHARE', WRITES, { ...scan, estimate })];
    const spans = lockSpans(statements, staging);
    expect(spans.map((span) => [span.mode, span.from, span.until, span.slow])).toEqual([
      ['ACCESS EXCLUSIVE', 0, 0, false],
      ['SHARE', 1, 1, true],
    ]);
    expect(tableTotals(spans)).toEqual([{ table: 'public.orders', mode: 'SHARE', spans: 2, stagingMs: 30, production: { lowMs: 2_000, highMs: 8_000 } }]);
  });

  it('with no work under any lock, the total names the strongest mode', () => {
    const statements = [traced(0, 0, 'SHARE UPDATE EXCLUSIVE', ['DDL']), traced(1, 1, 'ACCESS EXCLUSIVE', ALL)];
    expect(tableTotals(lockSpans(statements, staging)).map((total) => [total.mode, total.spans])).toEqual([['ACCESS EXCLUSIVE', 1]]);
  });

  it('on the embedded database (empty tables) the documented work of the statement counts', () => {
    const statements = [traced(0, 0, 'SHARE', WRITES, { documentedWork: 'index-build' })];
    expect(lockSpans(statements, embedded)[0]?.slow).toBe(true);
    expect(lockSpans(statements, staging)[0]?.slow).toBe(false);
  });
});
