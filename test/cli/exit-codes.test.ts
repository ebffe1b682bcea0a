import { describe, expect, it } from 'vitest';
import { lockguard, scratchDirectory } from './run-cli';

const scratch = scratchDirectory('exit-codes');
const ERROR = scratch.write('error.sql', 'CREATE INDEX orders_a_idx ON orders (a);\n');
// Templated SQL cannot be parsed as written: a warning, not an error.
const WARNING = scratch.write('warning.sql', 'CREATE INDEX ${name} ON orders (a);\n');
const CLEAN = scratch.write('clean.sql', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_a_idx ON orders (a);\n');
const code = (...args: string[]) => lockguard(['lint', '--format', 'json', ...args]).code;

describe('exit codes and --fail-on', () => {
  it('by default fail (1) on an error only', () => {
    expect([code(ERROR), code(WARNING), code(CLEAN)]).toEqual([1, 0, 0]);
  });

  it('--fail-on warning also fails on warnings; --fail-on info on any finding', () => {
    expect([code('--fail-on', 'warning', ERROR), code('--fail-on', 'warning', WARNING), code('--fail-on', 'warning', CLEAN)]).toEqual([1, 1, 0]);
    expect([code('--fail-on', 'info', WARNING), code('--fail-on', 'info', CLEAN)]).toEqual([1, 0]);
    expect(code('--fail-on', 'error', WARNING)).toBe(0);
  });

  it('--max-severity S passes with findings up to S and fails above it', () => {
    expect([code('--max-severity', 'warning', ERROR), code('--max-severity', 'warning', WARNING)]).toEqual([1, 0]);
    expect([code('--max-severity', 'info', WARNING), code('--max-severity', 'info', CLEAN)]).toEqual([1, 0]);
    expect([code('--max-severity', 'error', ERROR), code('--max-severity', 'none', WARNING)]).toEqual([0, 1]);
  });

  it('--exit-zero never fails on findings, but an unreadable file still exits 2', () => {
    expect(code('--exit-zero', ERROR)).toBe(0);
    expect(code('--exit-zero', ERROR, 'missing.sql')).toBe(2);
  });

  it.each([
    [['--fail-on', 'fatal', ERROR], 'unknown --fail-on "fatal": use error (the default), warning or info'],
    [['--fail-on', 'warning', '--exit-zero', ERROR], '--fail-on and --exit-zero contradict each other'],
    [['--max-severity', 'warning', '--fail-on', 'error', ERROR], '--fail-on and --max-severity contradict each other'],
    [['--max-severity', 'fatal', ERROR], 'unknown --max-severity "fatal": use none, info, warning or error'],
  ])('bad usage %j exits 2', (args, message) => {
    const run = lockguard(['lint', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
