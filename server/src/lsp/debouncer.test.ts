import { describe, expect, it } from 'vitest';
import { quietPeriodMs } from './debouncer';

describe('the quiet period after a change', () => {
  it('is a burst window for a fast file, and a quarter of the last analysis (at most 50 ms) for a slow one', () => {
    expect(quietPeriodMs(undefined)).toBe(4);
    expect(quietPeriodMs(0.4)).toBe(4);
    expect(quietPeriodMs(42.2)).toBe(11);
    expect(quietPeriodMs(6_000)).toBe(50);
  });
});
