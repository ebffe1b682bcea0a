import type { AlterTableCmd, DropStmt, Node } from '@pgsql/types';
import { nonTransactionalForm } from '../knowledge/non-transactional';
import type { RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../model/statement';
import type { Token } from '../text/lexer';
import type { OffsetRange } from '../text/positions';
import { perFile, type Fix, type Report, type Rule, type RuleContext } from './rule';
import { firstKeyword } from './support/keywords';
import { aboutStatement } from './support/recorded-questions';

/** The DROP forms the rule guards, and the keyword after which IF EXISTS goes. */
const DROP_KEYWORDS: Readonly<Partial<Record<NonNullable<DropStmt['removeType']>, string>>> = {
  OBJECT_TABLE: 'TABLE',
  OBJECT_INDEX: 'INDEX',
  OBJECT_VIEW: 'VIEW',
  OBJECT_MATVIEW: 'VIEW',
  OBJECT_SEQUENCE: 'SEQUENCE',
  OBJECT_SCHEMA: 'SCHEMA',
  OBJECT_TYPE: 'TYPE',
  OBJECT_DOMAIN: 'DOMAIN',
  OBJECT_EXTENSION: 'EXTENSION',
  OBJECT_FUNCTION: 'FUNCTION',
  OBJECT_PROCEDURE: 'PROCEDURE',
  OBJECT_TRIGGER: 'TRIGGER',
  OBJECT_FOREIGN_TABLE: 'TABLE',
};

/** A create or drop that fails when run a second time, and where `IF [NOT] EXISTS` goes. */
interface Unguarded {
  /** What the statement does, e.g. `CREATE TABLE` or `ADD COLUMN`. */
  form: string;
  guard: 'IF NOT EXISTS' | 'IF EXISTS';
  range: OffsetRange;
  /** The token IF [NOT] EXISTS follows; undefined when the form cannot take it (an unnamed index). */
  after: Token | undefined;
}

/**
 * Without a transaction, a migration that fails half-way stays half-applied, and its re-run fails on
 * the first object the first run already created or dropped. Inside a transaction nothing of a failed
 * run remains, so the rule stays quiet there — the idempotency noise users of other linters complain about.
 */
export const missingIfNotExists: Rule = {
  id: 'missing-if-not-exists',
  severity: 'info',
  category: 'hygiene',
  docs: {
    summary: 'CREATE without IF NOT EXISTS or DROP without IF EXISTS in a migration that runs without a transaction, so a re-run after a failure stops there.',
    why:
      'When a migration runs outside a transaction (a tool told not to wrap it, as CONCURRENTLY forms require), each ' +
      'statement commits on its own. If a later statement fails, the earlier ones stay applied, and ' +
      'running the migration again fails at once on `relation already exists` or `does not exist`, which then needs a ' +
      'hand fix in production. `IF NOT EXISTS` / `IF EXISTS` make those statements safe to repeat. Only statements ' +
      'followed by others are reported (a failure can only strand the ones before it), only in files known to run ' +
      'without a transaction — they hold a statement that cannot run in one (CONCURRENTLY, VACUUM, …), or the project\'s ' +
      'transaction mode is `never` — and nothing inside BEGIN … COMMIT: where a failure undoes everything, re-running is ' +
      'safe. Files a migration tool records only once they succeed are covered too: a half-applied file is not ' +
      'recorded, so the tool runs it again from the top. Not reported: a DROP of an object an earlier statement of the ' +
      'file creates (`CREATE OR REPLACE PROCEDURE p …; CALL p(); DROP PROCEDURE p;` — the re-run creates it again first), ' +
      'and Atlas migrations, since Atlas records how many statements it applied and resumes a failed migration after ' +
      'them. `CREATE INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY` are ' +
      'left to `concurrent-index-without-if-exists`, which reports them in every transaction mode (a failed concurrent ' +
      'build leaves an INVALID index behind).',
    example: {
      bad: 'CREATE TABLE order_notes (id bigint PRIMARY KEY, body text);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);',
      good: 'CREATE TABLE IF NOT EXISTS order_notes (id bigint PRIMARY KEY, body text);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);',
    },
    instead:
      'Write `CREATE TABLE/INDEX/SEQUENCE/SCHEMA/EXTENSION/MATERIALIZED VIEW IF NOT EXISTS`, `ALTER TABLE … ADD COLUMN ' +
      'IF NOT EXISTS`, `DROP … IF EXISTS` and `DROP COLUMN/CONSTRAINT IF EXISTS`; the quick fix inserts them and is ' +
      'safe to apply automatically (where the original would succeed, the guarded statement does the same). A ' +
      '`DROP … IF EXISTS` earlier in the file for the same object also counts. Give indexes a name, so they can be ' +
      'guarded. Or run the migration in a transaction, when nothing in it needs to run outside one.',
  },
  facts: [],
  fixChecks: [
    {
      setup: ['CREATE TABLE lockguard_orders (id bigint PRIMARY KEY, status text, old_note text)', 'CREATE INDEX lockguard_orders_old_idx ON lockguard_orders (old_note)'],
      migration:
        'CREATE TABLE lockguard_notes (id bigint);\nCREATE SEQUENCE lockguard_note_seq;\nALTER TABLE lockguard_orders ADD COLUMN note text, DROP COLUMN old_note;\n' +
        'DROP INDEX lockguard_orders_old_idx;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS lockguard_orders_status_idx ON lockguard_orders (status);\nDROP TABLE lockguard_notes;\n',
    },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed' || statement.transaction.kind !== 'autocommit' || isConcurrentIndexChange(statement)) return [];
    // Most statements have nothing to guard: only those look at the rest of the file.
    const parts = unguardedParts(statement);
    if (parts.length === 0) return [];
    const file = wholeFile(context);
    if (!file.runsOutsideTransaction || file.resumesAfterLastApplied || statement.index >= file.lastWork) return [];
    if (repeatableAfterEarlier(statement, context)) return [];
    return parts.map(report);
  },
};

/** Concurrent index builds and drops: concurrent-index-without-if-exists reports them, in every transaction mode. */
function isConcurrentIndexChange(statement: ParsedStatement): boolean {
  const drop = nodeAs(statement, 'DropStmt');
  return nodeAs(statement, 'IndexStmt')?.concurrent === true || (drop?.removeType === 'OBJECT_INDEX' && drop.concurrent === true);
}

function report(part: Unguarded): Report {
  const consequence = part.guard === 'IF NOT EXISTS' ? 'it already exists' : 'it is already gone';
  const message =
    `${part.form} without ${part.guard}, in a migration that runs without a transaction: if a later statement fails, this one stays applied, ` +
    `and the re-run fails here because ${consequence}. Write ${part.form} ${part.guard}.`;
  if (!part.after) return { message, range: part.range, noFixReason: 'An unnamed index cannot take IF NOT EXISTS (and a re-run silently builds a second one): give it a name.' };
  const fix: Fix = {
    title: `Add ${part.guard}`,
    edits: [{ range: { start: part.after.end, end: part.after.end }, newText: ` ${part.guard}` }],
    preferred: true,
    autoApplicable: true,
  };
  return { message, range: part.range, fixes: [fix] };
}

/** What the rule needs to know about the whole file, computed once per file. */
interface FileFacts {
  /**
   * The file is known to run without a transaction: the project says so (transaction mode `never`),
   * or it holds a statement that cannot run inside one (CONCURRENTLY, VACUUM, …). A file of unknown
   * origin is most likely wrapped by its migration tool, and warning about half-applied runs there is
   * the noise users of other linters complain about.
   */
  runsOutsideTransaction: boolean;
  /** The last statement that could fail and strand the ones before it (SET, RESET and transaction control cannot). */
  lastWork: number;
  /** Where each object is first dropped with IF EXISTS, by `objectKey`. */
  droppedIfExists: ReadonlyMap<string, number>;
  /** Where each object is first created (guarded or not, or replaced), by section kind and `unqualifiedKey`. */
  createdAt: ReadonlyMap<string, number>;
  /**
   * The migration tool records how many statements of a failed migration it applied and resumes after
   * the last of them, so a re-run never repeats one that succeeded.
   */
  resumesAfterLastApplied: boolean;
}

/**
 * Atlas stores the number of applied statements with each revision and continues a failed migration
 * from the statement after them (docs/frameworks.md, Atlas).
 */
const RESUMING_FRAMEWORKS: ReadonlySet<string> = new Set(['atlas']);

const fileFacts = perFile((context: RuleContext): FileFacts => {
  const { statements, options } = context;
  const droppedIfExists = new Map<string, number>();
  const createdAt = new Map<string, number>();
  for (const statement of statements) {
    const created = createdKey(statement);
    const key = created === undefined ? undefined : `${statement.section} ${created}`;
    if (key !== undefined && !createdAt.has(key)) createdAt.set(key, statement.index);
    const drop = nodeAs(statement, 'DropStmt');
    if (!drop?.missing_ok) continue;
    for (const name of (drop.objects ?? []).flatMap(droppedName)) {
      const key = objectKey(drop.removeType, name);
      if (!droppedIfExists.has(key)) droppedIfExists.set(key, statement.index);
    }
  }
  return {
    runsOutsideTransaction:
      options.transactionMode === 'never' ||
      statements.some((statement) => statement.transaction.kind === 'autocommit' && nonTransactionalForm(statement, options.pgVersion) !== undefined),
    lastWork: statements.reduce((last, statement) => (nodeAs(statement, 'VariableSetStmt') || nodeAs(statement, 'TransactionStmt') ? last : statement.index), -1),
    droppedIfExists,
    createdAt,
    resumesAfterLastApplied: RESUMING_FRAMEWORKS.has(context.migration.framework?.id ?? ''),
  };
});

/** What the rule asks about the whole file: facts that the statements being typed in rarely change. */
const wholeFile = perFile((context: RuleContext) => {
  const { runsOutsideTransaction, resumesAfterLastApplied, lastWork } = fileFacts(context);
  return { runsOutsideTransaction, resumesAfterLastApplied, lastWork };
});

/** Whether an earlier statement makes this one repeatable: a DROP … IF EXISTS of what it creates, a CREATE of what it drops. */
const repeatableAfterEarlier = aboutStatement('repeatable after earlier', (statement: ParsedStatement, context: RuleContext): boolean => {
  const file = fileFacts(context);
  return isDroppedEarlier(statement, file) || isCreatedEarlier(statement, file);
});

function unguardedParts(statement: ParsedStatement): Unguarded[] {
  const create = createForm(statement);
  if (create) return create;
  const drop = nodeAs(statement, 'DropStmt');
  if (drop) {
    const keyword = drop.removeType ? DROP_KEYWORDS[drop.removeType] : undefined;
    const after = keyword ? firstKeyword(statement, [keyword]) : undefined;
    if (drop.missing_ok || !after) return [];
    return [{ form: statement.text.slice(0, after.end - statement.range.start).replace(/\s+/g, ' ').toUpperCase(), guard: 'IF EXISTS', range: { start: statement.range.start, end: after.end }, after }];
  }
  return alterTableParts(statement);
}

function createForm(statement: ParsedStatement): Unguarded[] | undefined {
  const part = (form: string, keyword: string, guarded: boolean | undefined): Unguarded[] => {
    const after = firstKeyword(statement, [keyword]);
    return guarded || !after ? [] : [{ form, guard: 'IF NOT EXISTS', range: { start: statement.range.start, end: after.end }, after }];
  };
  const table = nodeAs(statement, 'CreateStmt');
  if (table) return table.relation?.relpersistence === 't' ? [] : part('CREATE TABLE', 'TABLE', table.if_not_exists);
  const index = nodeAs(statement, 'IndexStmt');
  if (index) {
    if (index.if_not_exists) return [];
    const [named] = part('CREATE INDEX', 'INDEX', false);
    return named ? [{ ...named, after: index.idxname ? named.after : undefined }] : [];
  }
  if (nodeAs(statement, 'CreateSeqStmt')) return part('CREATE SEQUENCE', 'SEQUENCE', nodeAs(statement, 'CreateSeqStmt')!.if_not_exists);
  if (nodeAs(statement, 'CreateSchemaStmt')) return part('CREATE SCHEMA', 'SCHEMA', nodeAs(statement, 'CreateSchemaStmt')!.if_not_exists);
  if (nodeAs(statement, 'CreateExtensionStmt')) return part('CREATE EXTENSION', 'EXTENSION', nodeAs(statement, 'CreateExtensionStmt')!.if_not_exists);
  const tableAs = nodeAs(statement, 'CreateTableAsStmt');
  if (tableAs) return tableAs.objtype === 'OBJECT_MATVIEW' ? part('CREATE MATERIALIZED VIEW', 'VIEW', tableAs.if_not_exists) : part('CREATE TABLE', 'TABLE', tableAs.if_not_exists);
  return undefined;
}

/**
 * ADD COLUMN, DROP COLUMN and DROP CONSTRAINT without their guards. A statement that also adds a
 * constraint is left alone: ADD CONSTRAINT has no IF NOT EXISTS, so no guard makes it repeatable.
 */
function alterTableParts(statement: ParsedStatement): Unguarded[] {
  const commands = statement.alterTableCommands;
  if (!nodeAs(statement, 'AlterTableStmt') || commands.some((cmd) => cmd.subtype === 'AT_AddConstraint')) return [];
  const clauses = subcommandTokens(statement);
  if (clauses.length !== commands.length) return [];
  return commands.flatMap((cmd, i) => commandPart(cmd, clauses[i]!));
}

function commandPart(cmd: AlterTableCmd, tokens: readonly Token[]): Unguarded[] {
  if (cmd.missing_ok || tokens.length === 0) return [];
  const [verb, object] = tokens;
  const withObject = (word: string) => (object?.type === 'word' && object.value === word ? object : verb!);
  const part = (form: string, guard: Unguarded['guard'], after: Token): Unguarded[] => [{ form, guard, range: { start: verb!.start, end: after.end }, after }];
  if (cmd.subtype === 'AT_AddColumn') return part('ADD COLUMN', 'IF NOT EXISTS', withObject('COLUMN'));
  if (cmd.subtype === 'AT_DropColumn') return part('DROP COLUMN', 'IF EXISTS', withObject('COLUMN'));
  if (cmd.subtype === 'AT_DropConstraint') return part('DROP CONSTRAINT', 'IF EXISTS', withObject('CONSTRAINT'));
  return [];
}

/** ALTER TABLE's subcommands as token lists: what follows the table name, split at top-level commas. */
function subcommandTokens(statement: ParsedStatement): Token[][] {
  const start = statement.targets[0]?.range?.start;
  const tokens = statement.tokens;
  const name = tokens.findIndex((token) => token.start === start);
  if (name < 0) return [];
  let i = name + 1;
  while (tokens[i]?.value === '.') i += 2;
  if (tokens[i]?.value === '*') i++;
  const clauses: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens.slice(i)) {
    if (token.value === '(') depth++;
    if (token.value === ')') depth--;
    if (depth === 0 && token.value === ',') clauses.push([]);
    else clauses[clauses.length - 1]!.push(token);
  }
  return clauses;
}

/** Whether an earlier `DROP … IF EXISTS` of the same object makes this CREATE repeatable. */
function isDroppedEarlier(statement: ParsedStatement, file: FileFacts): boolean {
  const created = createdObject(statement);
  if (!created) return false;
  const droppedAt = file.droppedIfExists.get(objectKey(created.type, created.name)) ?? file.droppedIfExists.get(objectKey(created.type, { schema: undefined, name: created.name.name }));
  return droppedAt !== undefined && droppedAt < statement.index;
}

/**
 * Whether every object this DROP removes is created by an earlier statement of its section: a re-run
 * creates it again before it gets here (or fails at that CREATE, which is reported itself), so the
 * DROP never meets it already gone — as with `CREATE OR REPLACE PROCEDURE p …; CALL p(); DROP PROCEDURE p;`.
 */
function isCreatedEarlier(statement: ParsedStatement, file: FileFacts): boolean {
  const drop = nodeAs(statement, 'DropStmt');
  const keys = drop ? droppedKeys(drop) : [];
  return keys.length > 0 && keys.every((key) => (file.createdAt.get(`${statement.section} ${key}`) ?? Infinity) < statement.index);
}

/** The objects a DROP names, as `unqualifiedKey`s; a trigger's key includes its table. */
function droppedKeys(drop: DropStmt): string[] {
  return (drop.objects ?? []).map((object) => {
    const names = nameParts(object);
    return unqualifiedKey(drop.removeType, drop.removeType === 'OBJECT_TRIGGER' ? names.slice(-2) : names.slice(-1));
  });
}

/** The name parts of a DROP's object: a name list, a single name, a function's signature or a type name. */
function nameParts(object: Node): string[] {
  const parts = 'List' in object ? object.List.items : 'ObjectWithArgs' in object ? object.ObjectWithArgs.objname : 'TypeName' in object ? object.TypeName.names : [object];
  return stringsOf(parts);
}

const stringsOf = (nodes: readonly Node[] | undefined): string[] => (nodes ?? []).flatMap((node) => ('String' in node && node.String.sval ? [node.String.sval] : []));

/**
 * An object by type and name without its schema: a file rarely creates and drops two objects of one
 * type and name in different schemas, and a match only keeps the rule quiet.
 */
const unqualifiedKey = (type: DropStmt['removeType'], names: readonly string[]) => `${type} ${names.join('.')}`;

/** The object a statement creates (or replaces), as `unqualifiedKey`; undefined for other statements. */
function createdKey(statement: Statement): string | undefined {
  const relation = createdObject(statement);
  if (relation) return unqualifiedKey(relation.type, [relation.name.name]);
  const named = (type: DropStmt['removeType'], name: string | undefined) => (name ? unqualifiedKey(type, [name]) : undefined);
  const last = (nodes: readonly Node[] | undefined) => stringsOf(nodes).pop();
  const fn = nodeAs(statement, 'CreateFunctionStmt');
  if (fn) return named(fn.is_procedure ? 'OBJECT_PROCEDURE' : 'OBJECT_FUNCTION', last(fn.funcname));
  const trigger = nodeAs(statement, 'CreateTrigStmt');
  if (trigger?.relation?.relname && trigger.trigname) return unqualifiedKey('OBJECT_TRIGGER', [trigger.relation.relname, trigger.trigname]);
  return (
    named('OBJECT_VIEW', nodeAs(statement, 'ViewStmt')?.view?.relname) ??
    named('OBJECT_TYPE', last(nodeAs(statement, 'CreateEnumStmt')?.typeName) ?? nodeAs(statement, 'CompositeTypeStmt')?.typevar?.relname) ??
    named('OBJECT_DOMAIN', last(nodeAs(statement, 'CreateDomainStmt')?.domainname)) ??
    named('OBJECT_SCHEMA', nodeAs(statement, 'CreateSchemaStmt')?.schemaname) ??
    named('OBJECT_EXTENSION', nodeAs(statement, 'CreateExtensionStmt')?.extname)
  );
}

/** A DROP's object name (`schema.name` or `name`). */
function droppedName(object: Node): RelationName[] {
  const names = ('List' in object ? (object.List.items ?? []) : [object]).flatMap((item) => ('String' in item && item.String.sval ? [item.String.sval] : []));
  const name = names.pop();
  return name === undefined ? [] : [{ schema: names.pop(), name }];
}

const objectKey = (type: DropStmt['removeType'], name: RelationName) => `${type} ${name.schema ?? ''}.${name.name}`;

function createdObject(statement: Statement): { type: DropStmt['removeType']; name: RelationName } | undefined {
  const index = nodeAs(statement, 'IndexStmt');
  if (index?.idxname) return { type: 'OBJECT_INDEX', name: { schema: index.relation?.schemaname, name: index.idxname } };
  const relation = nodeAs(statement, 'CreateStmt')?.relation ?? nodeAs(statement, 'CreateSeqStmt')?.sequence;
  if (relation?.relname) return { type: nodeAs(statement, 'CreateStmt') ? 'OBJECT_TABLE' : 'OBJECT_SEQUENCE', name: { schema: relation.schemaname, name: relation.relname } };
  const tableAs = nodeAs(statement, 'CreateTableAsStmt');
  if (tableAs?.into?.rel?.relname) {
    return { type: tableAs.objtype === 'OBJECT_MATVIEW' ? 'OBJECT_MATVIEW' : 'OBJECT_TABLE', name: { schema: tableAs.into.rel.schemaname, name: tableAs.into.rel.relname } };
  }
  return undefined;
}
