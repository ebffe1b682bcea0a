import type { Node } from '@pgsql/types';
import { builtOrigin } from '../model/moved-statement';
import type { NodeOf, NodeType, Statement } from '../model/statement';
import { namesOf } from '../model/syntax-names';
import type { Token } from '../text/lexer';
import { perFile, type Report, type Rule, type TextEdit } from './rule';
import { MAX_IDENTIFIER_BYTES, utf8ByteLength } from './support/identifier-bytes';

const DOCS_IDENTIFIERS = 'https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS';
const PREFIX = `lock_probe_${'x'.repeat(MAX_IDENTIFIER_BYTES - 'lock_probe_'.length)}`;

/** An identifier longer than PostgreSQL keeps: it is silently cut to 63 bytes, and two such names can collide. */
export const identifierTooLong: Rule = {
  id: 'identifier-too-long',
  severity: 'info',
  category: 'style',
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
      'the file to the 63 bytes PostgreSQL keeps, which is the name the object gets anyway; a shorter, clearer name is better. ' +
      'Only names the migration gives are reported (CREATE …, ADD COLUMN, ADD CONSTRAINT, RENAME TO): a long name that refers ' +
      'to an object made earlier (`DROP INDEX` of it) is cut the same way, so it finds the object, and the name was chosen where it was made.',
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
    // Most statements write no long name: only those look at the rest of the file.
    const names = definedLongNamesOf(statement);
    if (names.length === 0) return [];
    const found = longIdentifiers(context.statements);
    // Reported once, where the file first names an object with it; the fix shortens every occurrence.
    return names.flatMap(({ name, token }) => {
      const { occurrences, firstDefinition } = found.get(name)!;
      return firstDefinition === token ? [report(name, token, occurrences, context.source)] : [];
    });
  },
};

function report(name: string, token: Token, all: readonly Token[], source: string): Report {
  const kept = truncate(name);
  const edits: TextEdit[] = all.map((occurrence) => ({ range: { start: occurrence.start, end: occurrence.end }, newText: spell(occurrence, kept, source) }));
  return {
    message:
      `${quote(name)} is ${utf8ByteLength(name)} bytes long: PostgreSQL keeps only 63 and names it ${quote(kept)} without an error. Tools that ` +
      'compare names see a different one, and another long name with the same first 63 bytes collides ("already exists"). Shorten it.',
    range: { start: token.start, end: token.end },
    fixes: [{ title: `Shorten to the 63 bytes PostgreSQL keeps (${all.length === 1 ? '1 occurrence' : `${all.length} occurrences`})`, edits, preferred: true, autoApplicable: true }],
  };
}

interface LongName {
  name: string;
  token: Token;
}

/** The too-long identifiers a statement writes, in order: from its own text only. */
function longNamesOf(statement: Statement): readonly LongName[] {
  if (statement.kind !== 'parsed') return NO_NAMES;
  // The file-wide search asks every statement on every analysis: a statement known to write no long
  // name (as first built, before edits above moved it) is not looked at again.
  const built = builtOrigin(statement)?.built ?? statement;
  if (WITHOUT_LONG_NAMES.has(built)) return NO_NAMES;
  let names = NO_NAMES;
  if (MAY_HOLD_LONG_NAME.test(statement.text)) {
    for (const token of statement.tokens) {
      const name = identifierOf(token, statement);
      if (name !== undefined) names = [...names, { name, token }];
    }
  }
  if (names.length === 0) WITHOUT_LONG_NAMES.add(built);
  return names;
}

const NO_NAMES: readonly LongName[] = [];
const WITHOUT_LONG_NAMES = new WeakSet<Statement>();

/** A name needs at least 22 UTF-16 units to exceed 63 bytes: a run of that many non-separators, or a quoted one. */
const MAY_HOLD_LONG_NAME = /[^\s(),;.]{22,}|"[^"]{22,}/;

/**
 * The too-long names a statement gives to what it creates, adds or renames (`CREATE INDEX name`,
 * `ADD CONSTRAINT name`, `RENAME TO name`, a new column). A name that refers to an existing object
 * (`DROP INDEX name` of an index an earlier migration made) is cut the same way, so it still finds the
 * object: nothing is named there, nothing can collide, and the file cannot choose another name.
 */
function definedLongNamesOf(statement: Statement): readonly LongName[] {
  const names = longNamesOf(statement);
  if (names.length === 0 || statement.kind !== 'parsed') return NO_NAMES;
  // The parser keeps the 63 bytes PostgreSQL keeps: the written name defines when its cut form does.
  const defined = definedNames(statement.ast);
  return names.filter(({ name }) => defined.has(truncate(name)));
}

/** Every too-long identifier of the file: its occurrences in order, and the first that names an object with it. */
const longIdentifiers = perFile((statements: readonly Statement[]) => {
  const found = new Map<string, { occurrences: Token[]; firstDefinition: Token | undefined }>();
  for (const statement of statements) {
    for (const { name, token } of longNamesOf(statement)) {
      let entry = found.get(name);
      if (!entry) found.set(name, (entry = { occurrences: [], firstDefinition: undefined }));
      entry.occurrences.push(token);
    }
    for (const { name, token } of definedLongNamesOf(statement)) found.get(name)!.firstDefinition ??= token;
  }
  return found;
});

/**
 * The names a statement's tree gives to the objects it creates, adds or renames, wherever the nodes
 * below appear (CREATE SCHEMA can hold a CREATE TABLE, an ALTER TABLE a new column or constraint).
 * Names elsewhere (the table of CREATE INDEX, DROP …, a column list) refer to objects.
 */
function definedNames(ast: Node): ReadonlySet<string> {
  const defined = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (typeof value !== 'object' || value === null) return;
    for (const [type, payload] of Object.entries(value)) {
      const define = DEFINES[type as NodeType] as ((node: unknown) => readonly (string | undefined)[]) | undefined;
      for (const name of define?.(payload) ?? []) if (name !== undefined) defined.add(name);
      visit(payload);
    }
  };
  visit(ast);
  return defined;
}

const last = (names: Node[] | undefined) => namesOf(names).pop();

/** The output column names a query gives a view or CREATE TABLE AS (`SELECT … AS name`); a set operation's come from its first branch. */
function outputNames(query: Node | undefined): (string | undefined)[] {
  const select = query && 'SelectStmt' in query ? query.SelectStmt : undefined;
  if (!select) return [];
  if (select.larg) return outputNames({ SelectStmt: select.larg });
  return (select.targetList ?? []).map((target) => ('ResTarget' in target ? target.ResTarget.name : undefined));
}

/** Per node type, the names it gives to what it creates, adds or renames. */
const DEFINES: { readonly [K in NodeType]?: (node: NodeOf<K>) => readonly (string | undefined)[] } = {
  CreateStmt: (node) => [node.relation?.relname],
  CreateTableAsStmt: (node) => [node.into?.rel?.relname, ...namesOf(node.into?.colNames), ...outputNames(node.query)],
  ViewStmt: (node) => [node.view?.relname, ...namesOf(node.aliases), ...outputNames(node.query)],
  IndexStmt: (node) => [node.idxname],
  RenameStmt: (node) => [node.newname],
  ColumnDef: (node) => [node.colname],
  Constraint: (node) => [node.conname],
  CreateSeqStmt: (node) => [node.sequence?.relname],
  CompositeTypeStmt: (node) => [node.typevar?.relname],
  CreateTrigStmt: (node) => [node.trigname],
  CreateEventTrigStmt: (node) => [node.trigname],
  CreatePolicyStmt: (node) => [node.policy_name],
  RuleStmt: (node) => [node.rulename],
  CreateSchemaStmt: (node) => [node.schemaname],
  CreatedbStmt: (node) => [node.dbname],
  CreateRoleStmt: (node) => [node.role],
  CreatePublicationStmt: (node) => [node.pubname],
  CreateSubscriptionStmt: (node) => [node.subname],
  CreateFunctionStmt: (node) => [last(node.funcname)],
  CreateDomainStmt: (node) => [last(node.domainname)],
  CreateEnumStmt: (node) => [last(node.typeName)],
  CreateRangeStmt: (node) => [last(node.typeName)],
  DefineStmt: (node) => [last(node.defnames)],
  CreateStatsStmt: (node) => [last(node.defnames)],
};


/**
 * A name takes at least one byte per UTF-16 unit and at most three (a surrogate pair, two units,
 * takes four): shorter names always fit, and pure-ASCII names fit up to the limit. Only the rest
 * need their bytes counted.
 */
const MIN_UNITS_THAT_MAY_NOT_FIT = Math.floor(MAX_IDENTIFIER_BYTES / 3) + 1;

/** The identifier a token names, as PostgreSQL stores it, when it is longer than PostgreSQL keeps. */
function identifierOf(token: Token, statement: Statement): string | undefined {
  if (token.type === 'word') {
    const start = token.start - statement.range.start;
    const end = token.end - statement.range.start;
    if (end - start < MIN_UNITS_THAT_MAY_NOT_FIT) return undefined;
    if (end - start <= MAX_IDENTIFIER_BYTES && isAscii(statement.text, start, end)) return undefined;
    // PostgreSQL folds only ASCII letters of an unquoted name to lower case.
    const name = statement.text.slice(start, end).replace(/[A-Z]/g, (letter) => letter.toLowerCase());
    return utf8ByteLength(name) > MAX_IDENTIFIER_BYTES ? name : undefined;
  }
  // U&"…" escapes are left alone: their written length says nothing about the stored one.
  if (token.type !== 'quoted-identifier' || !token.value.startsWith('"') || token.unterminated) return undefined;
  // The quotes, and "" for each quote inside, only make the written name longer.
  if (token.value.length - 2 < MIN_UNITS_THAT_MAY_NOT_FIT) return undefined;
  const name = token.value.slice(1, -1).replaceAll('""', '"');
  if (name.length < MIN_UNITS_THAT_MAY_NOT_FIT) return undefined;
  if (name.length <= MAX_IDENTIFIER_BYTES && isAscii(name, 0, name.length)) return undefined;
  return utf8ByteLength(name) > MAX_IDENTIFIER_BYTES ? name : undefined;
}

function isAscii(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) >= 128) return false;
  return true;
}

/** The first 63 bytes, cut at a character boundary as PostgreSQL does. */
function truncate(name: string): string {
  let kept = '';
  let bytes = 0;
  for (const character of name) {
    bytes += utf8ByteLength(character);
    if (bytes > MAX_IDENTIFIER_BYTES) break;
    kept += character;
  }
  return kept;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** The shortened name written the way the occurrence was: an unquoted word keeps its letters' case. */
const spell = (occurrence: Token, kept: string, source: string) =>
  occurrence.type === 'quoted-identifier' ? quote(kept) : truncate(source.slice(occurrence.start, occurrence.end));
