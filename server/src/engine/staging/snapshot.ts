/**
 * What the traced session holds and has done, read before and after each statement: its relation
 * locks, the user relations with their files, and its transaction's table statistics. The diff of
 * two snapshots is what the statement did. Works on PostgreSQL 13–18 and PGlite alike.
 */
import { LOCK_MODES, PG_LOCKS_NAME, type LockMode } from '../locks/lock-modes';
import type { FullScan, RelationLabel, TracedLock } from './report';

/** Anything that runs one SQL statement and returns its rows: a `pg.Client`, or PGlite in a worker. */
export interface SqlSession {
  query<R extends object>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

interface Relation {
  oid: number;
  label: RelationLabel;
  tableOid: number;
  filenode: number;
  /** Has (or had) inheritance children or partitions, which reading it also locks. */
  hasChildren: boolean;
}

interface TableStats {
  seqScan: number;
  seqRead: number;
  touched: number;
}

export interface Snapshot {
  /** oid → strongest mode this session holds. */
  locks: Map<number, LockMode>;
  /** oid → every mode this session holds (pg_locks has a row per mode). */
  modes: Map<number, Set<LockMode>>;
  relations: Map<number, Relation>;
  stats: Map<number, TableStats>;
}

/** OIDs below 16384 are the system catalogs: the snapshot queries' own locks. */
const FIRST_USER_OID = 16384;

const LOCKS_SQL = `SELECT relation::int8 AS oid, mode FROM pg_locks
  WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation >= ${FIRST_USER_OID}`;

/**
 * Every user relation, with the transaction's statistics of the tables in the same scan: the
 * functions behind pg_stat_xact_user_tables, without the view's join to every index and its GROUP BY,
 * which cost more than the rest of the snapshot.
 */
const RELATIONS_SQL = `SELECT c.oid::int8 AS oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name,
    c.relkind::text AS relkind, c.relfilenode::int8 AS filenode, c.relhassubclass AS has_children, COALESCE(i.indrelid, toast.oid, c.oid)::int8 AS table_oid,
    s.seq_scan, s.seq_read, s.touched
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_index i ON i.indexrelid = c.oid
  LEFT JOIN pg_class toast ON toast.reltoastrelid = c.oid
  LEFT JOIN LATERAL (SELECT pg_stat_get_xact_numscans(c.oid)::int8 AS seq_scan, pg_stat_get_xact_tuples_returned(c.oid)::int8 AS seq_read,
      (pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid))::int8 AS touched
    WHERE c.relkind IN ('r', 'm', 'p') AND n.nspname !~ '^pg_toast') AS s ON true
  WHERE c.oid >= ${FIRST_USER_OID} AND n.nspname <> 'information_schema'`;

const RELKINDS: Readonly<Record<string, RelationLabel['kind']>> = { r: 'table', i: 'index', I: 'index', S: 'sequence', v: 'view', m: 'materialized view', p: 'partitioned table', t: 'table' };
const MODE_BY_PG_NAME = new Map(LOCK_MODES.map((mode) => [PG_LOCKS_NAME[mode], mode]));
const rank = (mode: LockMode) => LOCK_MODES.indexOf(mode);

/**
 * One round trip, planned once per session: a snapshot is taken after every statement, and its
 * planning costs more than its execution. JSON as text, so pg and PGlite return the same thing.
 */
const SNAPSHOT_STATEMENT = 'lockguard_snapshot';
const PREPARE_SNAPSHOT = `PREPARE ${SNAPSHOT_STATEMENT} AS SELECT
    (SELECT COALESCE(json_agg(l), '[]')::text FROM (${LOCKS_SQL}) AS l) AS locks,
    (SELECT COALESCE(json_agg(r), '[]')::text FROM (${RELATIONS_SQL}) AS r) AS relations`;
const prepared = new WeakSet<SqlSession>();

interface SnapshotRows {
  locks: { oid: number; mode: string }[];
  /** The statistics are null but for tables (and materialized views). */
  relations: { oid: number; name: string; relkind: string; filenode: number; has_children: boolean; table_oid: number; seq_scan: number | null; seq_read: number | null; touched: number | null }[];
}

export async function takeSnapshot(session: SqlSession): Promise<Snapshot> {
  // EXECUTE goes out right behind PREPARE, without waiting for it: one flight on a pipelined connection.
  let preparing: Promise<unknown> = Promise.resolve();
  if (!prepared.has(session)) {
    preparing = session.query(PREPARE_SNAPSHOT);
    prepared.add(session);
    preparing.catch(() => prepared.delete(session));
  }
  const executing = session.query<Record<keyof SnapshotRows, string>>(`EXECUTE ${SNAPSHOT_STATEMENT}`);
  executing.catch(() => {});
  await preparing;
  const { rows } = await executing;
  const row = rows[0]!;
  const locks = JSON.parse(row.locks) as SnapshotRows['locks'];
  const relations = JSON.parse(row.relations) as SnapshotRows['relations'];

  const byOid = new Map<number, Relation>();
  for (const row of relations) {
    byOid.set(row.oid, { oid: row.oid, tableOid: row.table_oid, filenode: row.filenode, hasChildren: row.has_children, label: { name: row.name, kind: RELKINDS[row.relkind] ?? 'other', table: '' } });
  }
  // A TOAST table's index belongs to the TOAST table, which belongs to the table: follow the chain to the table.
  for (const relation of byOid.values()) {
    let owner = byOid.get(relation.tableOid);
    while (owner && owner.tableOid !== owner.oid) owner = byOid.get(owner.tableOid);
    if (owner) relation.tableOid = owner.oid;
  }
  for (const relation of byOid.values()) relation.label.table = byOid.get(relation.tableOid)?.label.name ?? relation.label.name;

  const lockMap = new Map<number, LockMode>();
  const modes = new Map<number, Set<LockMode>>();
  for (const row of locks) {
    const mode = MODE_BY_PG_NAME.get(row.mode);
    if (!mode) continue;
    const previous = lockMap.get(row.oid);
    if (previous === undefined || rank(mode) > rank(previous)) lockMap.set(row.oid, mode);
    if (!modes.has(row.oid)) modes.set(row.oid, new Set());
    modes.get(row.oid)!.add(mode);
  }
  const statMap = new Map<number, TableStats>();
  for (const row of relations) if (row.seq_scan !== null) statMap.set(row.oid, { seqScan: row.seq_scan, seqRead: row.seq_read ?? 0, touched: row.touched ?? 0 });
  return { locks: lockMap, modes, relations: byOid, stats: statMap };
}

/** Tables (and partitioned tables) with inheritance children or partitions, by name. */
export function tablesWithChildren(snapshot: Snapshot): Set<string> {
  return new Set([...snapshot.relations.values()].filter((relation) => relation.hasChildren).map((relation) => relation.label.name));
}

export interface StatementDiff {
  locksAcquired: TracedLock[];
  locksHeld: TracedLock[];
  rewritten: RelationLabel[];
  fullScans: FullScan[];
  rowsTouched: number;
  dropped: RelationLabel[];
  renamed: { from: RelationLabel; to: RelationLabel }[];
}

/**
 * What the diff of one statement is measured against: the relations that existed before the
 * migration (those it creates have no traffic yet), the locks the
 * check still holds for the segments before it (released by their COMMIT in production, so not this
 * segment's), and the name each relation had when the check first saw it (after DROP or RENAME the
 * oid no longer resolves, or resolves to the new name).
 */
export interface DiffContext {
  existing: ReadonlySet<number>;
  earlierSegments: ReadonlyMap<number, ReadonlySet<LockMode>>;
  firstSeen: ReadonlyMap<number, RelationLabel & { tableOid: number }>;
}

/** Remembers every relation's first label, so later statements still name a dropped or renamed relation as the migration found it. */
export function rememberRelations(snapshot: Snapshot, firstSeen: Map<number, RelationLabel & { tableOid: number }>): void {
  for (const [oid, relation] of snapshot.relations) if (!firstSeen.has(oid)) firstSeen.set(oid, { ...relation.label, tableOid: relation.tableOid });
}

/** The locks of `snapshot` that the current segment took: modes the earlier segments do not hold. */
export function segmentModes(snapshot: Snapshot, earlierSegments: ReadonlyMap<number, ReadonlySet<LockMode>>): Map<number, LockMode> {
  const own = new Map<number, LockMode>();
  for (const [oid, modes] of snapshot.modes) {
    const earlier = earlierSegments.get(oid);
    for (const mode of modes) if (!earlier?.has(mode) && (!own.has(oid) || rank(mode) > rank(own.get(oid)!))) own.set(oid, mode);
  }
  return own;
}

/** What one statement did, from the snapshots around it. */
export function diffSnapshots(before: Snapshot, after: Snapshot, context: DiffContext): StatementDiff {
  const { existing, earlierSegments, firstSeen } = context;
  const labelOf = (oid: number): (RelationLabel & { tableOid: number }) | undefined => firstSeen.get(oid) ?? withOwner(before.relations.get(oid) ?? after.relations.get(oid));
  const locksOf = (locks: ReadonlyMap<number, LockMode>, keep: (oid: number, mode: LockMode) => boolean) => {
    const strongest = new Map<string, TracedLock>();
    for (const [oid, mode] of locks) {
      const relation = labelOf(oid);
      // Rewrites create and drop transient relations within the statement: neither before nor after, not reported.
      if (!relation || !keep(oid, mode)) continue;
      // A TOAST table's lock is its table's.
      const toast = relation.name.startsWith('pg_toast.');
      const label = stripOwner(toast ? (labelOf(relation.tableOid) ?? relation) : relation);
      const lock: TracedLock = { relation: label, mode, createdByMigration: !existing.has(toast ? relation.tableOid : oid) };
      const previous = strongest.get(label.name);
      if (!previous || rank(mode) > rank(previous.mode)) strongest.set(label.name, lock);
    }
    return [...strongest.values()].sort((a, b) => a.relation.name.localeCompare(b.relation.name));
  };
  const held = segmentModes(after, earlierSegments);
  const heldBefore = segmentModes(before, earlierSegments);
  const locksAcquired = locksOf(held, (oid, mode) => heldBefore.get(oid) === undefined || rank(heldBefore.get(oid)!) < rank(mode));
  const locksHeld = locksOf(held, () => true);

  const rewritten = new Map<string, RelationLabel>();
  const dropped: RelationLabel[] = [];
  const renamed: { from: RelationLabel; to: RelationLabel }[] = [];
  for (const [oid, relation] of before.relations) {
    const now = after.relations.get(oid);
    const toast = relation.label.name.startsWith('pg_toast.');
    if (!now) {
      // A TOAST table or an index goes with its table; report the relations a user named.
      if (!toast && (relation.tableOid === oid || after.relations.has(relation.tableOid))) dropped.push(stripOwner(labelOf(oid)!));
      continue;
    }
    if (!toast && now.label.name !== relation.label.name) renamed.push({ from: { ...relation.label }, to: { ...now.label } });
    if (now.filenode === relation.filenode || relation.filenode === 0) continue;
    const label = toast ? labelOf(relation.tableOid) : labelOf(oid);
    if (label) rewritten.set(label.name, stripOwner(label));
  }

  const fullScans: FullScan[] = [];
  let rowsTouched = 0;
  for (const [oid, stats] of after.stats) {
    const previous = before.stats.get(oid) ?? { seqScan: 0, seqRead: 0, touched: 0 };
    // TRUNCATE takes back the counts of the rows it removed from the transaction's statistics: no negative work.
    rowsTouched += Math.max(0, stats.touched - previous.touched);
    const scans = stats.seqScan - previous.seqScan;
    const rowsRead = stats.seqRead - previous.seqRead;
    const relation = labelOf(oid);
    if (scans > 0 && rowsRead > 0 && relation) fullScans.push({ table: relation.table, scans, rowsRead });
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return {
    locksAcquired,
    locksHeld,
    rewritten: [...rewritten.values()].sort(byName),
    fullScans: fullScans.sort((a, b) => a.table.localeCompare(b.table)),
    rowsTouched,
    dropped: dropped.sort(byName),
    renamed,
  };
}

const withOwner = (relation: Relation | undefined) => relation && { ...relation.label, tableOid: relation.tableOid };
const stripOwner = ({ name, kind, table }: RelationLabel): RelationLabel => ({ name, kind, table });
