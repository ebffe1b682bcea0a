import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { PROJECT_ROOT } from '../helpers/lsp-client';

function lockguard(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/lockguard.js', ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const INCIDENT = 'examples/migrations/002_index_orders_by_customer.sql';
const scratch = mkdtempSync(join(tmpdir(), 'lockguard-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const write = (name: string, content: string | Buffer) => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};

describe('lockguard lint', () => {
  it('prints file:line:col severity rule message, a code frame and the fix, and exits 1 on an error', () => {
    const { code, stdout } = lockguard('lint', INCIDENT);
    expect(code).toBe(1);
    expect(stdout).toContain(`${INCIDENT}:2:1 error create-index-without-concurrently CREATE INDEX takes a SHARE lock on orders`);
    expect(stdout).toContain('> 2 | CREATE INDEX orders_customer_id_idx ON orders (customer_id);');
    expect(stdout).toContain('    | ^^^^^^^^^^^^');
    expect(stdout).toContain('fix (preferred): Build the index with CREATE INDEX CONCURRENTLY');
    expect(stdout).toContain('    - CREATE INDEX orders_customer_id_idx ON orders (customer_id);');
    expect(stdout).toContain('    + CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);');
    expect(stdout).toContain('✖ 1 problem (1 error, 0 warnings, 0 info) in 1 of 1 file.');
  });

  it('shows a fix that moves the statement out of BEGIN … COMMIT as a diff with context', () => {
    const { stdout } = lockguard('lint', 'examples/migrations/003_order_status_in_transaction.sql');
    expect(stdout).toContain(
      [
        '  fix (preferred): Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS after COMMIT (CONCURRENTLY cannot run inside a transaction block)',
        '    - CREATE INDEX orders_status_idx ON orders (status);',
        '      ',
        '      COMMIT;',
        '    + ',
        '    + CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);',
      ].join('\n'),
    );
  });

  it('prints the documented JSON shape with 0-based LSP positions', () => {
    const { code, stdout } = lockguard('lint', '--format', 'json', INCIDENT);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual([
      {
        file: INCIDENT,
        rule: 'create-index-without-concurrently',
        severity: 'error',
        message: expect.stringContaining('SHARE lock on orders'),
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } },
        fixes: [
          {
            title: 'Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS',
            edits: [{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 12 } }, newText: ' CONCURRENTLY IF NOT EXISTS' }],
          },
        ],
      },
    ]);
  });

  it('searches directories for .sql files and exempts tables the same migration created', () => {
    const { code, stdout } = lockguard('lint', '--format', 'json', 'examples/migrations');
    expect(code).toBe(1);
    const findings = (JSON.parse(stdout) as { file: string; rule: string }[]).filter((finding) => finding.rule === 'create-index-without-concurrently');
    expect(findings.map((finding) => [finding.file.replace(/\\/g, '/'), finding.rule])).toEqual([
      ['examples/migrations/002_index_orders_by_customer.sql', 'create-index-without-concurrently'],
      ['examples/migrations/003_order_status_in_transaction.sql', 'create-index-without-concurrently'],
    ]);
  });

  it('exits 0 on a clean file, and with --exit-zero despite errors', () => {
    const clean = write('clean.sql', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (a);\n');
    expect(lockguard('lint', clean)).toMatchObject({ code: 0, stdout: expect.stringContaining('✔ No problems found in 1 file.') });
    expect(lockguard('lint', '--exit-zero', INCIDENT).code).toBe(0);
  });

  it('refuses binary junk with one clear error instead of linting it (test/cli/input-hygiene.test.ts has the cases)', () => {
    const junk = write('junk.sql', Buffer.from([0, 1, 2, 0xff, 0xfe, 39, 10, 36, 36, 59, 0x80]));
    const { code, stdout, stderr } = lockguard('lint', junk);
    expect(stderr).toBe(`lockguard: ${junk} is not a text file (a NUL byte at byte offset 0): skipped\n`);
    expect(code).toBe(2);
    expect(stdout).toBe('');
  });

  describe('exits 2 with a clear message on bad usage or unreadable files', () => {
    it.each([
      [['lint', 'no/such/file.sql'], /cannot read no\/such\/file\.sql: no such file or directory/],
      [['lint'], /needs at least one file or directory/],
      [['lint', '--format', 'xml', INCIDENT], /unknown --format "xml": use one of text, json/],
      [['lint', '--pg-version', '9', INCIDENT], /--pg-version must be a PostgreSQL major version from 10 to 18, not "9"/],
      [['lint', '--frobnicate', INCIDENT], /`lockguard lint` has no option --frobnicate\./],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['lsp'], /needs --stdio/],
    ])('%j', (args, message) => {
      const { code, stderr } = lockguard(...args);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/internal error/);
    });

    it('an unreadable file among readable ones still reports the others', () => {
      const { code, stdout, stderr } = lockguard('lint', INCIDENT, 'missing.sql');
      expect(code).toBe(2);
      expect(stdout).toContain('create-index-without-concurrently');
      expect(stderr).toContain('cannot read missing.sql');
    });

    it('a directory without SQL files', () => {
      const empty = join(scratch, 'no-sql-here');
      mkdirSync(empty);
      expect(lockguard('lint', empty)).toMatchObject({ code: 2, stderr: expect.stringContaining('no .sql files found') });
    });
  });

  it('prints its version and help', () => {
    expect(lockguard('--version').stdout.trim()).toBe(version);
    expect(lockguard('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('Run `lockguard COMMAND --help`') });
  });
});
