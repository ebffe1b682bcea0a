import { readFileSync } from 'node:fs';
import { describeFsError } from './files';

/** A migration's text, or why it is not one: a file the linter cannot read as SQL gets one clear problem and nothing else. */
export type SqlFileRead = { ok: true; text: string } | { ok: false; problem: string };

/** How far into a file to look for control bytes: a binary file shows itself in its first few kilobytes. */
const SNIFF_BYTES = 8192;
/** Above this share of control bytes (other than tab, newline, form feed and carriage return) a file is binary. */
const MAX_CONTROL_SHARE = 0.1;
const BYTE_ORDER_MARK = '\uFEFF';

export function readSqlFile(path: string): SqlFileRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return { ok: false, problem: `cannot read ${path}: ${describeFsError(error)}` };
  }
  return decodeSql(path, bytes);
}

/**
 * The file's text as UTF-8 (PostgreSQL's usual client encoding), without a byte-order mark so that
 * columns on the first line are not shifted by it. Binary files and invalid UTF-8 are refused rather
 * than linted as garbage or silently repaired with U+FFFD.
 */
export function decodeSql(path: string, bytes: Uint8Array): SqlFileRead {
  const binary = binaryEvidence(bytes);
  if (binary !== undefined) return { ok: false, problem: `${path} is not a text file (${binary}): skipped` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes) ?? 0;
    return {
      ok: false,
      problem: `${path} is not valid UTF-8 (byte 0x${hex(bytes[offset] ?? 0)} at byte offset ${offset}): re-save it as UTF-8, the encoding lockguard reads`,
    };
  }
  return { ok: true, text: text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text };
}

/** Why the bytes look binary (a NUL byte, or many control bytes), with the offset of the first such byte; undefined for text. */
function binaryEvidence(bytes: Uint8Array): string | undefined {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return `a NUL byte at byte offset ${nul}`;
  const sniffed = bytes.subarray(0, SNIFF_BYTES);
  let controls = 0;
  let first = -1;
  for (let offset = 0; offset < sniffed.length; offset++) {
    if (!isControlByte(sniffed[offset]!)) continue;
    controls++;
    if (first === -1) first = offset;
  }
  if (sniffed.length === 0 || controls / sniffed.length <= MAX_CONTROL_SHARE) return undefined;
  return `${Math.round((controls / sniffed.length) * 100)}% control bytes, the first at byte offset ${first}`;
}

const isControlByte = (byte: number) => (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) || byte === 0x7f;

/** The offset of the first byte that does not start a well-formed UTF-8 sequence (the Unicode standard's table 3-7). */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let offset = 0;
  while (offset < bytes.length) {
    const lead = bytes[offset]!;
    if (lead < 0x80) {
      offset++;
      continue;
    }
    const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || offset + length > bytes.length) return offset;
    // The second byte's range is narrower after some lead bytes: no overlong forms, surrogates or code points above U+10FFFF.
    const [low, high] = lead === 0xe0 ? [0xa0, 0xbf] : lead === 0xed ? [0x80, 0x9f] : lead === 0xf0 ? [0x90, 0xbf] : lead === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    const second = bytes[offset + 1]!;
    if (second < low || second > high) return offset;
    for (let next = offset + 2; next < offset + length; next++) if ((bytes[next]! & 0xc0) !== 0x80) return offset;
    offset += length;
  }
  return undefined;
}

const hex = (byte: number) => byte.toString(16).padStart(2, '0');
