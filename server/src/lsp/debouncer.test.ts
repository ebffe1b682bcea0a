import { describe, expect, it } from 'vitest';
import { Debouncer, QUIET_PERIOD_MS } from './debouncer';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the debouncer', () => {
  it('runs only the latest task of a burst, once the quiet period has passed', async () => {
    const debouncer = new Debouncer(QUIET_PERIOD_MS);
    const ran: string[] = [];
    debouncer.schedule('a.sql', () => ran.push('first'));
    debouncer.schedule('a.sql', () => ran.push('second'));
    debouncer.schedule('b.sql', () => ran.push('other file'));
    expect(ran).toEqual([]);
    await wait(QUIET_PERIOD_MS + 20);
    expect(ran.sort()).toEqual(['other file', 'second']);
  });

  it('runs nothing for a key whose task was cancelled', async () => {
    const debouncer = new Debouncer(QUIET_PERIOD_MS);
    const ran: string[] = [];
    debouncer.schedule('a.sql', () => ran.push('closed'));
    debouncer.cancel('a.sql');
    await wait(QUIET_PERIOD_MS + 20);
    expect(ran).toEqual([]);
  });
});
