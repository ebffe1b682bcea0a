import type { AlterTableCmd, ColumnDef, Constraint, Node, RangeVar } from '@pgsql/types';
import { columnTypeOf, isPlainUsing, type ColumnType } from '../knowledge/type-changes';
import { volatilityOf } from '../knowledge/volatility';
import { movedRelation, relationFromRangeVar, type RelationName } from '../model/relations';
import { builtOrigin } from '../model/moved-statement';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { LOCK_MODES, type LockMode } from './lock-modes';
import { cteNames, isSystemCatalog, rowSelection, tablesRead, tablesReadByCtes, type TableRead } from './statement-cost';

/**
 * What makes a statement's run time grow while it holds its lock:
 * - `instant`: does not grow with the table: a catalog change, or rows the statement names
 *   (INSERT … VALUES, UPDATE/DELETE by key — see ./statement-cost.ts);
 * - `scan`: reads the whole table (validation, SET NOT NULL, a SELECT or UPDATE without a selective WHERE);
 * - `index-build`: sorts the table into an index;
 * - `rewrite`: copies the whole table and rebuilds its indexes;
 * - `rows`: touches rows (UPDATE, DELETE, INSERT … SELECT): grows with the rows it matches.
 */
export type Work = 'instant' | 'scan' | 'index-build' | 'rewrite' | 'rows';

export type ObjectKind = 'table' | 'index' | 'materialized view';

/**
 * Something the rest of the file can show, that makes a lock's work instant:
 * - `not-null-proven`: SET NOT NULL skips its scan when a validated CHECK (column IS NOT NULL) proves it (PostgreSQL 12+);
 * - `empty`: validating a foreign key reads the referenced table once per row of the referencing table, so
 *   nothing when that table is new and empty;
 * - `catalog-only-type-change`: ALTER COLUMN … TYPE reads no row when the column's current type (which only the
 *   schema history shows) reaches `to` without converting a value (knowledge/type-changes.ts) and no validated
 *   CHECK on the column is checked again (rules/support/column-types.ts `typeChangeReadsNoRow`).
 */
export type WorkCondition = ({ relation: RelationName } & AlteredTableCondition) | { kind: 'empty'; relation: RelationName };

/** A `WorkCondition` on the table an ALTER TABLE changes, before the table is filled in. */
type AlteredTableCondition = { kind: 'not-null-proven'; column: string } | { kind: 'catalog-only-type-change'; column: string; to: ColumnType };

/** A lock a statement takes, on what, and the work done while holding it. */
export interface TableLock {
  relation: RelationName;
  objectKind: ObjectKind;
  mode: LockMode;
  /** The most the statement does while holding the lock. */
  work: Work;
  /** When all of these hold, the work is instant instead (absent when nothing can make it so). */
  fastIf?: NonEmpty<WorkCondition>;
  /**
   * `DROP TRIGGER IF EXISTS` of this trigger: the lock is taken only when the trigger exists (only the
   * schema history can tell). Otherwise the statement holds no lock on the table once it has run, and
   * no read or write waits for it (measured on 13–18).
   */
  onlyIfTriggerExists?: string;
}

type NonEmpty<T> = readonly [T, ...T[]];

const WORK_RANK: Readonly<Record<Work, number>> = { instant: 0, rows: 1, scan: 2, 'index-build': 3, rewrite: 4 };

/** Whether the lock is held for a time that grows with the table. */
export const isSlow = (work: Work) => work !== 'instant';

/**
 * The locks a statement takes on relations that already exist, from the PostgreSQL documentation
 * ("Explicit Locking" §13.3.1 and each command's reference page; ALTER TABLE takes the strictest
 * lock any subcommand needs). Verified statement by statement by the Postgres test suite (13–18).
 */
export function locksOf(statement: ParsedStatement, pgVersion: number): readonly TableLock[] {
  // Most statements of a file (SELECT, CREATE FUNCTION, GRANT, …) lock nothing that exists: no need to remember that.
  if (!LOCKING_STATEMENTS.has(statement.nodeType)) return NO_LOCKS;
  // Rules ask again for every earlier statement of a transaction: computed once per statement and version.
  const cached = LOCKS_CACHE.get(statement);
  if (cached?.pgVersion === pgVersion) return cached.locks;
  // A statement moved by an edit above it takes the locks of the statement first built, moved.
  const origin = builtOrigin(statement);
  const locks = origin ? locksOf(origin.built, pgVersion).map((lock) => ({ ...lock, relation: movedRelation(lock.relation, origin.movedBy) })) : computeLocks(statement, pgVersion);
  LOCKS_CACHE.set(statement, { pgVersion, locks });
  return locks;
}

const NO_LOCKS: readonly TableLock[] = [];
const LOCKS_CACHE = new WeakMap<ParsedStatement, { pgVersion: number; locks: readonly TableLock[] }>();

/** The statements `computeLocks` finds locks for; it returns none for the others. */
const LOCKING_STATEMENTS: ReadonlySet<string> = new Set([
  'IndexStmt',
  'AlterTableStmt',
  'DropStmt',
  'TruncateStmt',
  'RenameStmt',
  'CreateTrigStmt',
  'ReindexStmt',
  'RefreshMatViewStmt',
  'VacuumStmt',
  'ClusterStmt',
  'LockStmt',
  'UpdateStmt',
  'DeleteStmt',
  'InsertStmt',
  'CommentStmt',
  'CreateStmt',
  'SelectStmt',
  'CreateTableAsStmt',
]);

function computeLocks(statement: ParsedStatement, pgVersion: number): TableLock[] {
  const locate = statement.locate;
  const table = (rangeVar: RangeVar | undefined, mode: LockMode, work: Work, objectKind: ObjectKind = 'table'): TableLock[] =>
    rangeVar ? [{ relation: relationFromRangeVar(rangeVar, locate), objectKind, mode, work }] : [];

  const index = nodeAs(statement, 'IndexStmt');
  if (index) return table(index.relation, index.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', 'index-build');

  const alter = nodeAs(statement, 'AlterTableStmt');
  if (alter?.relation) {
    const altered = relationFromRangeVar(alter.relation, locate);
    const objectKind: ObjectKind = alter.objtype === 'OBJECT_INDEX' ? 'index' : alter.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : 'table';
    const parts = statement.alterTableCommands.map((cmd) => alterTableCommandLock(cmd, pgVersion, objectKind));
    const mode = parts.reduce<LockMode>((acc, part) => stricter(acc, part.mode), 'ACCESS SHARE');
    const onAltered = (part: CommandLock): WorkCondition[] => (part.fastIf ?? []).map((condition) => ({ ...condition, relation: altered }));
    const own: TableLock = { relation: altered, objectKind, mode, ...combinedWork(parts.map((part) => ({ work: part.work, fastIf: onAltered(part) }))) };
    const referenced = parts.flatMap((part) => part.referenced ?? []).flatMap(({ rangeVar, mode: referencedMode, work, scansAlteredRows }): TableLock[] => {
      if (!rangeVar) return [];
      const lock: TableLock = { relation: relationFromRangeVar(rangeVar, locate), objectKind: 'table', mode: referencedMode, work };
      return [scansAlteredRows && isSlow(work) ? { ...lock, fastIf: [{ kind: 'empty', relation: altered }] } : lock];
    });
    return [own, ...referenced];
  }

  const drop = nodeAs(statement, 'DropStmt');
  if (drop?.removeType === 'OBJECT_TRIGGER') {
    // Not in the documentation's lock list; measured on 13–18: DROP TRIGGER takes ACCESS EXCLUSIVE on its table,
    // and IF EXISTS of a trigger the table does not have holds none.
    return (drop.objects ?? []).flatMap((object): TableLock[] => {
      const relation = qualifiedName(object, true);
      if (!relation) return [];
      const lock: TableLock = { relation, objectKind: 'table', mode: 'ACCESS EXCLUSIVE', work: 'instant' };
      const trigger = qualifiedName(object)?.name;
      return [drop.missing_ok === true && trigger !== undefined ? { ...lock, onlyIfTriggerExists: trigger } : lock];
    });
  }
  if (drop) {
    const kind = drop.removeType === 'OBJECT_INDEX' ? 'index' : drop.removeType === 'OBJECT_TABLE' ? 'table' : drop.removeType === 'OBJECT_MATVIEW' ? 'materialized view' : undefined;
    if (!kind) return [];
    const mode: LockMode = drop.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    return (drop.objects ?? []).flatMap((object) => {
      const relation = qualifiedName(object);
      return relation ? [{ relation, objectKind: kind, mode, work: 'instant' as const }] : [];
    });
  }

  const truncate = nodeAs(statement, 'TruncateStmt');
  if (truncate) return (truncate.relations ?? []).flatMap((node) => ('RangeVar' in node ? table(node.RangeVar, 'ACCESS EXCLUSIVE', 'instant') : []));

  const rename = nodeAs(statement, 'RenameStmt');
  if (rename?.relation) {
    // Renaming an index takes SHARE UPDATE EXCLUSIVE since PostgreSQL 12; everything else ACCESS EXCLUSIVE.
    const indexRename = rename.renameType === 'OBJECT_INDEX' && pgVersion >= 12;
    return table(rename.relation, indexRename ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', 'instant', rename.renameType === 'OBJECT_INDEX' ? 'index' : 'table');
  }

  const trigger = nodeAs(statement, 'CreateTrigStmt');
  if (trigger) return table(trigger.relation, 'SHARE ROW EXCLUSIVE', 'instant');

  const reindex = nodeAs(statement, 'ReindexStmt');
  if (reindex?.relation) {
    const concurrent = reindex.params?.some((param) => 'DefElem' in param && param.DefElem.defname === 'concurrently');
    if (concurrent) return table(reindex.relation, 'SHARE UPDATE EXCLUSIVE', 'index-build', reindex.kind === 'REINDEX_OBJECT_INDEX' ? 'index' : 'table');
    // REINDEX INDEX rebuilds the index under ACCESS EXCLUSIVE (SHARE on its table: writes wait, and so do reads
    // that plan with the index); REINDEX TABLE holds SHARE on the table while it rebuilds every index.
    return reindex.kind === 'REINDEX_OBJECT_INDEX' ? table(reindex.relation, 'ACCESS EXCLUSIVE', 'rewrite', 'index') : table(reindex.relation, 'SHARE', 'index-build');
  }

  const refresh = nodeAs(statement, 'RefreshMatViewStmt');
  if (refresh) return table(refresh.relation, refresh.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE', 'rewrite', 'materialized view');

  const vacuum = nodeAs(statement, 'VacuumStmt');
  if (vacuum) {
    const full = vacuum.options?.some((option) => 'DefElem' in option && option.DefElem.defname === 'full');
    return (vacuum.rels ?? []).flatMap((rel) =>
      'VacuumRelation' in rel ? table(rel.VacuumRelation.relation, full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE', full ? 'rewrite' : 'scan') : [],
    );
  }

  const cluster = nodeAs(statement, 'ClusterStmt');
  if (cluster) return table(cluster.relation, 'ACCESS EXCLUSIVE', 'rewrite');

  const lock = nodeAs(statement, 'LockStmt');
  if (lock) {
    const mode = LOCK_MODES[(lock.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
    return (lock.relations ?? []).flatMap((node) => ('RangeVar' in node ? table(node.RangeVar, mode, 'instant') : []));
  }

  // DML: rows it names (by key, or in VALUES) are instant; rows it selects by condition grow with the table.
  const change = nodeAs(statement, 'UpdateStmt') ?? nodeAs(statement, 'DeleteStmt');
  if (change?.relation) return table(change.relation, 'ROW EXCLUSIVE', changeWork(change.relation, change.whereClause));
  const insert = nodeAs(statement, 'InsertStmt');
  if (insert?.relation) {
    const source = insert.selectStmt && 'SelectStmt' in insert.selectStmt ? insert.selectStmt.SelectStmt : undefined;
    const ctes = new Set(cteNames(insert.withClause));
    const reads = [...tablesReadByCtes(insert.withClause, ctes), ...(source ? tablesRead(source, ctes) : [])];
    const target = table(insert.relation, 'ROW EXCLUSIVE', isSystemCatalog(insert.relation) || !reads.some((read) => read.whole) ? 'instant' : 'rows');
    return [...target, ...readLocks(reads, 'ACCESS SHARE', locate, target)];
  }
  const select = nodeAs(statement, 'SelectStmt');
  if (select) return readLocks(tablesRead(select), (select.lockingClause ?? []).length > 0 ? 'ROW SHARE' : 'ACCESS SHARE', locate);
  const createAs = nodeAs(statement, 'CreateTableAsStmt');
  if (createAs?.query && 'SelectStmt' in createAs.query) {
    // WITH NO DATA plans the query (and locks what it reads) without running it.
    const reads = tablesRead(createAs.query.SelectStmt).map((read) => ({ ...read, whole: read.whole && !createAs.into?.skipData }));
    return readLocks(reads, 'ACCESS SHARE', locate);
  }

  const comment = nodeAs(statement, 'CommentStmt');
  if (comment && (comment.objtype === 'OBJECT_TABLE' || comment.objtype === 'OBJECT_COLUMN')) {
    const relation = comment.object ? qualifiedName(comment.object, comment.objtype === 'OBJECT_COLUMN') : undefined;
    return relation ? [{ relation, objectKind: 'table', mode: 'SHARE UPDATE EXCLUSIVE', work: 'instant' }] : [];
  }

  // A new table referencing an existing one takes SHARE ROW EXCLUSIVE on the referenced table.
  const create = nodeAs(statement, 'CreateStmt');
  if (create) return foreignKeysOf(create.tableElts ?? []).flatMap((fk) => table(fk.pktable, 'SHARE ROW EXCLUSIVE', 'instant'));

  return [];
}

function stricter(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(b) > LOCK_MODES.indexOf(a) ? b : a;
}

const heavier = (a: Work, b: Work): Work => (WORK_RANK[b] > WORK_RANK[a] ? b : a);

/**
 * The work of several parts done under one lock: the heaviest. It can become instant only when
 * every slow part can: then all their conditions must hold.
 */
function combinedWork(parts: readonly { work: Work; fastIf?: readonly WorkCondition[] }[]): Pick<TableLock, 'work' | 'fastIf'> {
  const work = parts.reduce<Work>((acc, part) => heavier(acc, part.work), 'instant');
  const slow = parts.filter((part) => isSlow(part.work));
  const [first, ...rest] = slow.flatMap((part) => part.fastIf ?? []);
  const allConditional = slow.every((part) => (part.fastIf ?? []).length > 0);
  return first && allConditional ? { work, fastIf: [first, ...rest] } : { work };
}

/** UPDATE and DELETE: instant for rows picked by key (and on system catalogs), else they grow with the table. */
function changeWork(relation: RangeVar, where: Node | undefined): Work {
  if (isSystemCatalog(relation)) return 'instant';
  const selection = rowSelection(where);
  return selection === 'all' ? 'scan' : selection === 'by-key' ? 'instant' : 'rows';
}

/** The locks a query takes on the tables it reads (those the statement writes already carry a stronger lock). */
function readLocks(reads: readonly TableRead[], mode: LockMode, locate: (byteLocation: number) => number, written: readonly TableLock[] = []): TableLock[] {
  const locks: TableLock[] = [];
  for (const { rangeVar, whole } of reads) {
    const relation = relationFromRangeVar(rangeVar, locate);
    const work: Work = whole ? 'scan' : 'instant';
    const same = (lock: TableLock) => lock.relation.name === relation.name && lock.relation.schema === relation.schema;
    if (written.some(same)) continue;
    const index = locks.findIndex(same);
    if (index === -1) locks.push({ relation, objectKind: 'table', mode, work });
    else locks[index] = { ...locks[index]!, work: heavier(locks[index]!.work, work) };
  }
  return locks;
}

interface CommandLock {
  mode: LockMode;
  work: Work;
  /** Conditions on the altered table that make the work instant (see `WorkCondition`). */
  fastIf?: readonly AlteredTableCondition[];
  /**
   * Locks on other tables, e.g. the table a foreign key references; `scansAlteredRows`: the work
   * there is done once per row of the altered table (a foreign key's validation).
   */
  referenced?: { rangeVar: RangeVar | undefined; mode: LockMode; work: Work; scansAlteredRows?: boolean }[];
}

/** One ALTER TABLE subcommand's lock, per the ALTER TABLE reference page. */
export function alterTableCommandLock(cmd: AlterTableCmd, pgVersion: number, objectKind: ObjectKind = 'table'): CommandLock {
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      return addColumnLock(cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : undefined, pgVersion);
    case 'AT_AddConstraint':
      return constraintLock(cmd.def && 'Constraint' in cmd.def ? cmd.def.Constraint : undefined);
    case 'AT_ValidateConstraint':
      return { mode: 'SHARE UPDATE EXCLUSIVE', work: 'scan' };
    case 'AT_SetNotNull':
      // Since PostgreSQL 12 a validated CHECK (column IS NOT NULL) lets SET NOT NULL skip its scan.
      return { mode: 'ACCESS EXCLUSIVE', work: 'scan', ...(pgVersion >= 12 && cmd.name !== undefined ? { fastIf: [{ kind: 'not-null-proven' as const, column: cmd.name }] } : {}) };
    case 'AT_AlterColumnType':
      return alterColumnTypeLock(cmd);
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
    case 'AT_SetTableSpace':
    case 'AT_SetAccessMethod':
    case 'AT_SetExpression':
      return { mode: 'ACCESS EXCLUSIVE', work: 'rewrite' };
    case 'AT_AttachPartition':
      return attachPartitionLock(cmd, pgVersion, objectKind);
    case 'AT_DetachPartition':
      return detachPartitionLock(cmd, pgVersion, objectKind);
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
      return { mode: 'SHARE UPDATE EXCLUSIVE', work: 'instant' };
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return { mode: 'SHARE ROW EXCLUSIVE', work: 'instant' };
    default:
      // "An ACCESS EXCLUSIVE lock is acquired unless explicitly noted."
      return { mode: 'ACCESS EXCLUSIVE', work: 'instant' };
  }
}

/**
 * ALTER COLUMN … TYPE rewrites the table and its indexes, except when the current type converts to the new one
 * without touching a value (the ALTER TABLE page's binary-coercible exception): a USING that computes a value,
 * or a new collation (the column's indexes are rebuilt), rules that out whatever the current type.
 */
function alterColumnTypeLock(cmd: AlterTableCmd): CommandLock {
  const rewrite: CommandLock = { mode: 'ACCESS EXCLUSIVE', work: 'rewrite' };
  const definition = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : undefined;
  const to = definition?.typeName ? columnTypeOf(definition.typeName) : undefined;
  if (!to || cmd.name === undefined || definition?.collClause) return rewrite;
  if (definition?.raw_default && !isPlainUsing(definition.raw_default, cmd.name, to)) return rewrite;
  return { ...rewrite, fastIf: [{ kind: 'catalog-only-type-change', column: cmd.name, to }] };
}

const partitionOf = (cmd: AlterTableCmd) => (cmd.def && 'PartitionCmd' in cmd.def ? cmd.def.PartitionCmd : undefined);

/**
 * ATTACH PARTITION: SHARE UPDATE EXCLUSIVE on the parent since PostgreSQL 12 (ACCESS EXCLUSIVE before); the attached
 * table is scanned under ACCESS EXCLUSIVE (an upper bound: a valid CHECK implying the bound skips the scan). A DEFAULT
 * partition is locked and scanned too, but whether the parent has one is not in the statement.
 */
function attachPartitionLock(cmd: AlterTableCmd, pgVersion: number, objectKind: ObjectKind): CommandLock {
  const mode: LockMode = pgVersion >= 12 ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  // ALTER INDEX … ATTACH PARTITION attaches an index: no scan.
  if (objectKind !== 'table') return { mode, work: 'instant' };
  return { mode, work: 'instant', referenced: [{ rangeVar: partitionOf(cmd)?.name, mode: 'ACCESS EXCLUSIVE', work: 'scan' }] };
}

/**
 * DETACH PARTITION: ACCESS EXCLUSIVE on the parent and, since PostgreSQL 14, on the partition (SHARE UPDATE EXCLUSIVE
 * before, measured on 13). CONCURRENTLY (14+) takes SHARE UPDATE EXCLUSIVE on both, per the ALTER TABLE page.
 */
function detachPartitionLock(cmd: AlterTableCmd, pgVersion: number, objectKind: ObjectKind): CommandLock {
  const partition = partitionOf(cmd);
  const mode: LockMode = partition?.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
  if (objectKind !== 'table') return { mode, work: 'instant' };
  const partitionMode: LockMode = pgVersion >= 14 ? mode : 'SHARE UPDATE EXCLUSIVE';
  return { mode, work: 'instant', referenced: [{ rangeVar: partition?.name, mode: partitionMode, work: 'instant' }] };
}

/** ADD COLUMN rewrites the table for a volatile default (any default before PostgreSQL 11), stored generated and identity columns. */
function addColumnLock(column: ColumnDef | undefined, pgVersion: number): CommandLock {
  const constraints = (column?.constraints ?? []).flatMap((node) => ('Constraint' in node ? [node.Constraint] : []));
  const defaultExpression = column?.raw_default ?? constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  const typeName = (column?.typeName?.names ?? []).map((name) => ('String' in name ? name.String.sval : '')).pop() ?? '';
  const generatesValues =
    /^(small|big)?serial[248]?$/.test(typeName) ||
    constraints.some((c) => c.contype === 'CONSTR_IDENTITY' || (c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v'));
  const rewrites = generatesValues || (defaultExpression !== undefined && (pgVersion < 11 || volatilityOf(defaultExpression) === 'volatile'));
  // Existing rows get a value only from a default or a generated column; otherwise they are all NULL.
  const fillsExistingRows = generatesValues || defaultExpression !== undefined;
  // NOT NULL on a new column needs no scan: the default fills every row (without a default it fails on a non-empty
  // table, which the rules report). Inline CHECK and UNIQUE constraints do work on existing rows; REFERENCES only
  // when the rows get a value (PostgreSQL skips the validation otherwise: transformAlterTableStmt, measured on 13–18).
  const inline = constraints
    .filter((c) => c.contype !== 'CONSTR_NOTNULL')
    .map((c) => (c.contype === 'CONSTR_FOREIGN' && !fillsExistingRows ? constraintLock({ ...c, skip_validation: true }) : constraintLock(c)))
    .filter((lock) => lock.work !== 'instant' || lock.referenced);
  const work: Work = rewrites ? 'rewrite' : inline.some((lock) => lock.work === 'index-build') ? 'index-build' : inline.some((lock) => lock.work === 'scan') ? 'scan' : 'instant';
  return { mode: 'ACCESS EXCLUSIVE', work, referenced: inline.flatMap((lock) => lock.referenced ?? []) };
}

/** ADD CONSTRAINT: validation scans unless NOT VALID; UNIQUE/PRIMARY KEY/EXCLUDE build an index unless USING INDEX. */
function constraintLock(constraint: Constraint | undefined): CommandLock {
  if (!constraint) return { mode: 'ACCESS EXCLUSIVE', work: 'instant' };
  const validates = !constraint.skip_validation;
  switch (constraint.contype) {
    case 'CONSTR_FOREIGN':
      return {
        mode: 'SHARE ROW EXCLUSIVE',
        work: validates ? 'scan' : 'instant',
        referenced: [{ rangeVar: constraint.pktable, mode: 'SHARE ROW EXCLUSIVE', work: validates ? 'scan' : 'instant', scansAlteredRows: true }],
      };
    case 'CONSTR_CHECK':
    case 'CONSTR_NOTNULL':
      return { mode: 'ACCESS EXCLUSIVE', work: validates ? 'scan' : 'instant' };
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE':
      return { mode: 'ACCESS EXCLUSIVE', work: constraint.indexname ? 'instant' : 'index-build' };
    case 'CONSTR_EXCLUSION':
      return { mode: 'ACCESS EXCLUSIVE', work: 'index-build' };
    default:
      return { mode: 'ACCESS EXCLUSIVE', work: 'instant' };
  }
}

function foreignKeysOf(elements: Node[]): Constraint[] {
  return elements.flatMap((element) => {
    if ('Constraint' in element) return element.Constraint.contype === 'CONSTR_FOREIGN' ? [element.Constraint] : [];
    if ('ColumnDef' in element) {
      return (element.ColumnDef.constraints ?? []).flatMap((node) => ('Constraint' in node && node.Constraint.contype === 'CONSTR_FOREIGN' ? [node.Constraint] : []));
    }
    return [];
  });
}

/** A dotted name list (`schema.table`, or `schema.table.column` when `dropLast`) as a relation. */
function qualifiedName(node: Node, dropLast = false): RelationName | undefined {
  const list = 'List' in node ? node.List.items ?? [] : [node];
  const names = list.flatMap((item) => ('String' in item && item.String.sval !== undefined ? [item.String.sval] : []));
  if (dropLast) names.pop();
  const name = names.pop();
  if (name === undefined) return undefined;
  return { schema: names.pop(), name };
}
