import type { Statement } from '../model/statement';
import type { Token } from '../text/lexer';
import type { Report, Rule, TextEdit } from './rule';

const DOCS_IDENTIFIERS = 'https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS';
/** NAMEDATALEN - 1: the bytes of an identifier PostgreSQL keeps. */
const MAX_IDENTIFIER_BYTES = 63;
const PREFIX = `lock_probe_${'x'.repeat(MAX_IDENTIFIER_BYTES - 'lock_probe_'.length)}`;

/** An identifier longer than PostgreSQL keeps: it is silently cut to 63 bytes, and two such names can collide. */
export const identifierTooLong: Rule = {
  id: 'identifier-too-long',
  severity: 'info',
  docs: {
    summary: 'An identifier longer than 63 bytes: PostgreSQL silently cuts it, and names that share their first 63 bytes collide.',
    why:
      'PostgreSQL keeps the first 63 bytes of every identifier and drops the rest with only a NOTICE. The object gets a ' +
      'different name than the one written: schema-diff and ORM tools that compare names see a change that never ' +
      'happens, and two long names that differ only after byte 63 — typical of generated index and constraint names — ' +
      'are the same name, so the second CREATE fails with "already exists".',
    example: {
      bad: 'CREATE INDEX orders_customer_id_created_at_shipping_country_status_priority_idx ON orders (customer_id, created_at, shipping_country, status, priority);',
      good: 'CREATE INDEX orders_customer_created_country_status_idx ON orders (customer_id, created_at, shipping_country, status, priority);',
    },
    instead:
      'Choose a name of at most 63 bytes (characters outside ASCII take several bytes). The fix cuts every occurrence in ' +
      'the file to the 63 bytes PostgreSQL keeps, which is the name the object gets anyway; a shorter, clearer name is better.',
  },
  facts: [
    {
      kind: 'failure',
      statement: 'CREATE TABLE of two names that share their first 63 bytes',
      sqlstate: '42P07',
      message: `relation "${PREFIX}" already exists`,
      versions: { from: 9 },
      source: DOCS_IDENTIFIERS,
      probe: { setup: [`CREATE TABLE ${PREFIX}_one (id int)`], statement: `CREATE TABLE ${PREFIX}_two (id int)` },
    },
  ],
  fixChecks: [{ setup: [], migration: `CREATE TABLE ${PREFIX}_one (id int);\nINSERT INTO ${PREFIX}_one VALUES (1);\n` }],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const occurrences = longIdentifiers(context.statements, context.source);
    return statement.tokens.flatMap((token) => {
      const name = identifierOf(token, context.source);
      const all = name === undefined ? undefined : occurrences.get(name);
      // Reported once, where the file first writes the name; the fix shortens every occurrence.
      if (!name || !all || all[0] !== token) return [];
      return [report(name, token, all, context.source)];
    });
  },
};

function report(name: string, token: Token, all: readonly Token[], source: string): Report {
  const kept = truncate(name);
  const edits: TextEdit[] = all.map((occurrence) => ({ range: { start: occurrence.start, end: occurrence.end }, newText: spell(occurrence, kept, source) }));
  return {
    message:
      `${quote(name)} is ${byteLength(name)} bytes long: PostgreSQL keeps only 63 and names it ${quote(kept)} without an error. Tools that ` +
      'compare names see a different one, and another long name with the same first 63 bytes collides ("already exists"). Shorten it.',
    range: { start: token.start, end: token.end },
    fixes: [{ title: `Shorten to the 63 bytes PostgreSQL keeps (${all.length === 1 ? '1 occurrence' : `${all.length} occurrences`})`, edits, preferred: true, autoApplicable: true }],
  };
}

const LONG_IDENTIFIERS = new WeakMap<readonly Statement[], Map<string, Token[]>>();

/** Every too-long identifier of the file with its occurrences in order, computed once per file. */
function longIdentifiers(statements: readonly Statement[], source: string): Map<string, Token[]> {
  let found = LONG_IDENTIFIERS.get(statements);
  if (found) return found;
  found = new Map();
  for (const statement of statements) {
    if (statement.kind !== 'parsed') continue;
    for (const token of statement.tokens) {
      const name = identifierOf(token, source);
      if (name !== undefined) found.set(name, [...(found.get(name) ?? []), token]);
    }
  }
  LONG_IDENTIFIERS.set(statements, found);
  return found;
}

/** The identifier a token names, as PostgreSQL stores it, when it is longer than PostgreSQL keeps. */
function identifierOf(token: Token, source: string): string | undefined {
  if (token.type === 'word') {
    // PostgreSQL folds only ASCII letters of an unquoted name to lower case.
    const name = source.slice(token.start, token.end).replace(/[A-Z]/g, (letter) => letter.toLowerCase());
    return byteLength(name) > MAX_IDENTIFIER_BYTES ? name : undefined;
  }
  // U&"…" escapes are left alone: their written length says nothing about the stored one.
  if (token.type !== 'quoted-identifier' || !token.value.startsWith('"') || token.unterminated) return undefined;
  const name = token.value.slice(1, -1).replaceAll('""', '"');
  return byteLength(name) > MAX_IDENTIFIER_BYTES ? name : undefined;
}

const encoder = new TextEncoder();
const byteLength = (text: string) => encoder.encode(text).length;

/** The first 63 bytes, cut at a character boundary as PostgreSQL does. */
function truncate(name: string): string {
  let kept = '';
  for (const character of name) {
    if (byteLength(kept + character) > MAX_IDENTIFIER_BYTES) break;
    kept += character;
  }
  return kept;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** The shortened name written the way the occurrence was: an unquoted word keeps its letters' case. */
const spell = (occurrence: Token, kept: string, source: string) =>
  occurrence.type === 'quoted-identifier' ? quote(kept) : truncate(source.slice(occurrence.start, occurrence.end));
