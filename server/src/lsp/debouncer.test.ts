import { describe, expect, it } from 'vitest';
import { quietPeriodMs } from './debouncer';

describe('the quiet period after a change', () => {
  it('is as long as the last analysis took, so a fast file is re-analysed at once and a slow one not on every keystroke', () => {
    expect(quietPeriodMs(undefined)).toBe(10);
    expect(quietPeriodMs(0.4)).toBe(10);
    expect(quietPeriodMs(42.2)).toBe(43);
    expect(quietPeriodMs(6_000)).toBe(150);
  });
});
