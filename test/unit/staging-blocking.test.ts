import { describe, expect, it } from 'vitest';
import { inferBlocking, probingWhenChanged, type BlockingProbe, type HeldOnTable } from '../../server/src/engine/staging/blocking';
import type { LockMode } from '../../server/src/engine/locks/lock-modes';
import type { TracedLock } from '../../server/src/engine/staging/report';

const lock = (name: string, mode: LockMode, table = name, kind: 'table' | 'index' = 'table'): TracedLock => ({ relation: { name, kind, table }, mode, createdByMigration: false });

/** A probe that infers its verdicts and records which tables it was asked to probe, round by round. */
function recordingProbe(): { probe: BlockingProbe; rounds: string[][] } {
  const rounds: string[][] = [];
  const probe: BlockingProbe = async (held: readonly HeldOnTable[]) => {
    rounds.push(held.map(({ table }) => table));
    return inferBlocking(held);
  };
  return { probe, rounds };
}

describe('probing again only what changed', () => {
  it('a table whose locks did not change keeps its verdicts; a table whose locks changed is probed again', async () => {
    const { probe, rounds } = recordingProbe();
    const blockingOf = probingWhenChanged(probe);
    const none = new Set<string>();

    const first = await blockingOf([lock('public.orders', 'SHARE')], none, () => {});
    const second = await blockingOf([lock('public.orders', 'SHARE'), lock('public.customers', 'ACCESS EXCLUSIVE')], none, () => {});
    const third = await blockingOf([lock('public.orders', 'ACCESS EXCLUSIVE'), lock('public.customers', 'ACCESS EXCLUSIVE')], none, () => {});
    const fourth = await blockingOf([lock('public.orders', 'ACCESS EXCLUSIVE'), lock('public.customers', 'ACCESS EXCLUSIVE')], none, () => {});

    expect(rounds).toEqual([['public.orders'], ['public.customers'], ['public.orders']]);
    expect(second.map((table) => table.table)).toEqual(['public.customers', 'public.orders']);
    expect(second.find((table) => table.table === 'public.orders')).toEqual(first[0]);
    expect(third.find((table) => table.table === 'public.orders')?.strongestMode).toBe('ACCESS EXCLUSIVE');
    expect(fourth).toEqual(third);
  });

  it('a new lock on an index changes its table (the DDL probe locks the table alone), though the strongest mode stays', async () => {
    const { probe, rounds } = recordingProbe();
    const blockingOf = probingWhenChanged(probe);
    await blockingOf([lock('public.orders_idx', 'ACCESS EXCLUSIVE', 'public.orders', 'index')], new Set(), () => {});
    await blockingOf([lock('public.orders_idx', 'ACCESS EXCLUSIVE', 'public.orders', 'index'), lock('public.orders', 'SHARE UPDATE EXCLUSIVE')], new Set(), () => {});
    expect(rounds).toEqual([['public.orders'], ['public.orders']]);
  });

  it('a table with partitions or inheritance children is probed again when any lock changed: its probes read the children', async () => {
    const { probe, rounds } = recordingProbe();
    const blockingOf = probingWhenChanged(probe);
    const parents = new Set(['public.events']);
    await blockingOf([lock('public.events', 'ACCESS SHARE'), lock('public.orders', 'SHARE')], parents, () => {});
    await blockingOf([lock('public.events', 'ACCESS SHARE'), lock('public.orders', 'SHARE'), lock('public.events_2026', 'ACCESS EXCLUSIVE')], parents, () => {});
    expect(rounds).toEqual([['public.events', 'public.orders'], ['public.events', 'public.events_2026']]);
  });
});
