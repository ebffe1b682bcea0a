import { describe, expect, it } from 'vitest';
import { decodeSql, firstInvalidUtf8 } from '../../server/src/cli/sql-file';
import { lockguard, scratchDirectory } from './run-cli';

const scratch = scratchDirectory('input-hygiene');
const INCIDENT = 'CREATE INDEX orders_customer_idx ON orders (customer_id);\n';

describe('files lockguard cannot lint as SQL', () => {
  it('a missing path prints only the error, on stderr, and exits 2', () => {
    for (const format of ['text', 'json', 'sarif']) {
      expect(lockguard(['lint', '--format', format, scratch.root + '/missing.sql'])).toMatchObject({
        code: 2,
        stdout: '',
        stderr: `lockguard: cannot read ${scratch.root}/missing.sql: no such file or directory\n`,
      });
    }
  }, 60_000);

  it('a binary file (NUL bytes) gets one error with the byte offset and no other output', () => {
    const binary = scratch.write('tool.sql', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    expect(lockguard(['lint', binary])).toMatchObject({ code: 2, stdout: '', stderr: `lockguard: ${binary} is not a text file (a NUL byte at byte offset 7): skipped\n` });
  });

  it('a file mostly of control bytes is binary too, without a NUL', () => {
    const noisy = scratch.write('noisy.sql', Buffer.from('SELECT 1;\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11', 'latin1'));
    expect(lockguard(['lint', noisy])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(`${noisy} is not a text file (57% control bytes, the first at byte offset 9)`) });
  });

  it('invalid UTF-8 (a Latin-1 file) gets one error with the byte offset, not a lint of U+FFFD', () => {
    const latin1 = scratch.write('latin1.sql', Buffer.from("SELECT 1;\nCOMMENT ON TABLE t IS 'café';\n", 'latin1'));
    expect(lockguard(['lint', latin1])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `lockguard: ${latin1} is not valid UTF-8 (byte 0xe9 at byte offset 36): re-save it as UTF-8, the encoding lockguard reads\n`,
    });
  });

  it('a bad file among good ones: the good ones are reported, the bad one only on stderr', () => {
    const good = scratch.write('mixed/001.sql', INCIDENT);
    const bad = scratch.write('mixed/002.sql', Buffer.from([0x53, 0x00]));
    const run = lockguard(['lint', good, bad]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`${good}:1:1 error create-index-without-concurrently`);
    expect(run.stdout).not.toContain('002.sql');
    expect(run.stderr).toBe(`lockguard: ${bad} is not a text file (a NUL byte at byte offset 1): skipped\n`);
  });

  it('check refuses them the same way', () => {
    const binary = scratch.write('check/tool.sql', Buffer.from([0x00, 0x01]));
    expect(lockguard(['check', binary])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('is not a text file (a NUL byte at byte offset 0)') });
  });
});

describe('a UTF-8 byte-order mark', () => {
  it('does not shift columns: the finding is where it is without it', () => {
    const withBom = scratch.write('bom/with.sql', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`SELECT 1; ${INCIDENT}`)]));
    const ranges = (file: string) => (JSON.parse(lockguard(['lint', '--format', 'json', file]).stdout) as { range: unknown }[]).map((finding) => finding.range);
    const without = scratch.write('bom/without.sql', `SELECT 1; ${INCIDENT}`);
    expect(ranges(withBom)).toHaveLength(1);
    expect(ranges(withBom)).toEqual(ranges(without));
    expect(lockguard(['lint', withBom]).stdout).toContain(`${withBom}:1:11 error create-index-without-concurrently`);
  }, 60_000);
});

describe('decodeSql', () => {
  it('accepts UTF-8 text, tabs, form feeds and CRLF', () => {
    expect(decodeSql('a.sql', Buffer.from('SELECT \'ünïcode ✓ 𝄞\';\r\n\t\f'))).toEqual({ ok: true, text: 'SELECT \'ünïcode ✓ 𝄞\';\r\n\t\f' });
  });

  it.each([
    ['a lone continuation byte', [0x41, 0x80], 1],
    ['an overlong encoding of "/"', [0x41, 0xc0, 0xaf], 1],
    ['a UTF-16 surrogate', [0x41, 0x42, 0xed, 0xa0, 0x80], 2],
    ['a sequence cut short at the end', [0x41, 0xe2, 0x82], 1],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
  ])('finds the first invalid byte: %s', (_, bytes, offset) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
    expect(decodeSql('a.sql', Uint8Array.from(bytes))).toEqual({ ok: false, problem: expect.stringContaining(`at byte offset ${offset}`) });
  });
});
