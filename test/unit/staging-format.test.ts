import { describe, expect, it } from 'vitest';
import { describeBlocked, describeProgress, formatDuration } from '../../server/src/engine/staging/format';

// The wording every view of a staging check shares.

describe('staging check wording', () => {
  it('formats durations so seconds and hours are told apart at a glance', () => {
    expect([4, 999, 1_000, 1_240, 12_400, 59_400, 60_000, 155_000, 620_000, 3_600_000, 15_120_000].map(formatDuration)).toEqual([
      '4 ms',
      '999 ms',
      '1 s',
      '1.2 s',
      '12 s',
      '59 s',
      '1 min',
      '2.6 min',
      '10 min',
      '1 h',
      '4.2 h',
    ]);
  });

  it('says which operations wait and how that is known', () => {
    const verdict = (operation: 'SELECT' | 'INSERT', blocked: boolean, evidence: 'measured' | 'inferred') => ({ operation, blocked, evidence });
    expect(describeBlocked([verdict('SELECT', false, 'measured'), verdict('INSERT', true, 'measured')])).toBe('INSERT (measured)');
    expect(describeBlocked([verdict('SELECT', true, 'inferred'), verdict('INSERT', true, 'measured')])).toBe('SELECT, INSERT (measured and inferred)');
    expect(describeBlocked([verdict('SELECT', false, 'inferred')])).toBe('nothing');
  });

  it('words each progress step for the notification, with a percentage where the step count is known', () => {
    expect(describeProgress({ kind: 'statement', n: 3, total: 4, label: 'CREATE INDEX' })).toEqual({ message: 'Statement 3 of 4: CREATE INDEX', percentage: 50 });
    expect(describeProgress({ kind: 'replaying', migration: '001_create_orders.sql', n: 1, total: 2 })).toEqual({ message: 'Replaying earlier migration 1 of 2: 001_create_orders.sql', percentage: undefined });
    expect(describeProgress({ kind: 'probing', n: 1, total: 2, table: 'public.orders' }).message).toBe('Probing which traffic waits on public.orders (1 of 2)');
    expect(describeProgress({ kind: 'rolling-back' })).toEqual({ message: 'Rolling back: nothing is kept', percentage: 100 });
  });
});
