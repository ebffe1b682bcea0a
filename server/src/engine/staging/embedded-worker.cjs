'use strict';
/**
 * The embedded database's worker thread (started by embedded.ts), and the recipe of the ready-made
 * cluster it starts from, which scripts/build.mjs also uses to ship one in dist/pglite/.
 *
 * Plain CommonJS: it runs in a worker, outside the bundle, as is (no build step between source and run).
 *
 * Where the time goes (docs/staging-check.md, "The embedded database"): PGlite's initdb costs 5–15 s,
 * so the check never runs it when a cluster snapshot exists (shipped with the build, else cached in
 * ~/.cache/lockguard after the first run); loading the snapshot is an untar into memory, so it is
 * kept small and uncompressed; PostgreSQL's 128 MB of shared buffers are 100 MB of memory the empty
 * tables never use; and V8's optimizing tier recompiles PostgreSQL's hot functions in background
 * threads, which costs more CPU than the few statements of a check ever win back.
 */
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const { isMainThread, parentPort, workerData } = require('node:worker_threads');

/** Part of the snapshot's file name: a snapshot made by another recipe is not used. */
const RECIPE = 'r3';
/** 1 MB WAL segments instead of 16 MB: the snapshot carries one of them. */
const INITDB_ARGS = ['--wal-segsize=1'];
/** Added to PGlite's own start parameters; its tables are empty and it serves one session. */
const SETTINGS = ['shared_buffers=16MB', 'min_wal_size=2MB', 'max_wal_size=2MB'];

const startParams = (PGlite) => [...PGlite.defaultStartParams, ...SETTINGS.flatMap((setting) => ['-c', setting])];

/** The snapshot's file name for the PGlite at `pglitePath` (its CommonJS entry) and this recipe. */
function snapshotName(pglitePath) {
  const { version } = require(path.join(path.dirname(pglitePath), '..', 'package.json'));
  return `pglite-${version}-cluster-${RECIPE}.tar.gz`;
}

/** Where a snapshot is looked for: shipped beside this file (the build puts both in dist/pglite/), then the user's cache. */
function snapshotFiles(pglitePath, cacheDir) {
  const name = snapshotName(pglitePath);
  return { shipped: path.join(__dirname, name), cached: path.join(cacheDir, name) };
}

/**
 * A fresh cluster (initdb), shrunk for its snapshot: a checkpoint, then the WAL segments PostgreSQL
 * preallocated for later (above the one it writes) removed; it creates them again when it needs them.
 */
async function createCluster(PGlite) {
  const db = await PGlite.create({ initDbStartParams: INITDB_ARGS, startParams: startParams(PGlite) });
  await db.exec('CHECKPOINT');
  const { rows } = await db.query('SELECT pg_walfile_name(pg_current_wal_insert_lsn()) AS current');
  const walDir = `${PGlite.paths?.PGDATA ?? '/pglite/data'}/pg_wal`;
  const { FS } = db.Module;
  for (const name of FS.readdir(walDir)) if (/^[0-9A-F]{24}$/.test(name) && name > rows[0].current) FS.unlink(`${walDir}/${name}`);
  return db;
}

/**
 * The cluster as a gzipped tar (3 MB instead of 25: it ships in the npm package and the vsix, and
 * gunzip costs a fraction of what initdb would), written under a temporary name and renamed: a
 * concurrent reader never sees half a file.
 */
async function saveSnapshot(db, file) {
  const tar = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const partial = `${file}.${process.pid}.${Date.now()}`;
  fs.writeFileSync(partial, tar, { mode: 0o644 });
  fs.renameSync(partial, file);
}

/** For the build: makes the snapshot in `dir` unless it is already there, and returns its path. */
async function prepareSnapshot(pglitePath, dir) {
  const file = path.join(dir, snapshotName(pglitePath));
  if (fs.existsSync(file)) return file;
  const { PGlite } = require(pglitePath);
  const db = await createCluster(PGlite);
  try {
    await saveSnapshot(db, file);
  } finally {
    await db.close();
  }
  return file;
}

/** The first snapshot that loads, else a fresh cluster, whose snapshot is then cached for the next run. */
async function openCluster(PGlite, snapshots, cacheFile) {
  for (const file of snapshots) {
    if (!fs.existsSync(file)) continue;
    try {
      // Not fs.openAsBlob: on Node 20 reading a large file-backed Blob fails now and then (NotReadableError).
      return await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(file)], { type: 'application/x-gzip' }), startParams: startParams(PGlite) });
    } catch {
      // Damaged or unreadable: try the next one, else make a new cluster.
    }
  }
  const db = await createCluster(PGlite);
  try {
    await saveSnapshot(db, cacheFile);
  } catch {
    // A read-only or full cache directory costs the next run its speed, not this one its result.
  }
  return db;
}

async function serve({ pglite, cacheDir }) {
  // Before PGlite compiles its WebAssembly; flags are per process, and this one runs only PGlite's module.
  v8.setFlagsFromString('--liftoff-only');
  const { PGlite } = require(pglite);
  const { shipped, cached } = snapshotFiles(pglite, cacheDir);
  const db = await openCluster(PGlite, [shipped, cached], cached);
  const { rows } = await db.query("SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num");
  parentPort.postMessage({ ready: rows[0] });
  parentPort.on('message', async ({ id, sql, params, script }) => {
    try {
      if (script) {
        await db.exec(sql);
        parentPort.postMessage({ id, rows: [] });
      } else {
        const result = await db.query(sql, params);
        parentPort.postMessage({ id, rows: result.rows });
      }
    } catch (error) {
      parentPort.postMessage({ id, error: { message: String((error && error.message) || error), code: error && error.code, hint: error && error.hint } });
    }
  });
}

if (!isMainThread && workerData && workerData.lockguardEmbedded) {
  serve(workerData).catch((error) => parentPort.postMessage({ fatal: String((error && error.stack) || error) }));
}

module.exports = { prepareSnapshot, snapshotName };
