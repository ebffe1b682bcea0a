/**
 * The migration set a file belongs to: the migrations its framework applies before it, in the
 * framework's order (docs/frameworks.md). Pure: the folders are read through `MigrationSetFiles`.
 * What they declare is known to the rules as the schema the file starts from (model/schema/).
 */

/** One entry of a folder. */
export interface FolderEntry {
  name: string;
  isDirectory: boolean;
}

/** How the set's folders and files are read (paths with forward slashes). */
export interface MigrationSetFiles {
  /** The folder's entries, or undefined when it cannot be read. */
  list(folder: string): readonly FolderEntry[] | undefined;
  read(path: string): string | undefined;
}

/** The migrations applied before `filePath`, oldest first (paths built like `filePath`); empty when the file is in no set Lockguard recognises. */
export function earlierMigrations(filePath: string, files: MigrationSetFiles): string[] {
  const path = filePath.replace(/\\/g, '/');
  const slash = path.lastIndexOf('/');
  const folder = slash === -1 ? '.' : path.slice(0, slash);
  const name = path.slice(slash + 1);
  return (
    migrationPerFolder(folder, name, files) ??
    graphileCurrent(folder, name, files) ??
    sqitchDeploys(folder, name, files) ??
    versionedFiles(folder, name, files) ??
    versionFolders(folder, name, files) ??
    []
  );
}

/** graphile-migrate's `migrations/current.sql` runs after every committed migration (`migrations/committed/<n>.sql`). */
function graphileCurrent(folder: string, name: string, files: MigrationSetFiles): string[] | undefined {
  if (name !== 'current.sql' || !files.list(folder)?.some((entry) => entry.isDirectory && entry.name === 'committed')) return undefined;
  const committed = `${folder}/committed`;
  return (files.list(committed) ?? [])
    .flatMap((entry) => {
      const versioned = entry.isDirectory ? undefined : versionOf(entry.name);
      return versioned && !versioned.rollback ? [{ ...versioned, path: `${committed}/${entry.name}` }] : [];
    })
    .sort(inSetOrder)
    .map((sibling) => sibling.path);
}

/**
 * diesel (`<version>_<name>/up.sql`) and Prisma (`<timestamp>_<name>/migration.sql`): one folder per
 * migration, ordered by folder name. A `down.sql` runs after its own `up.sql`.
 */
function migrationPerFolder(folder: string, name: string, files: MigrationSetFiles): string[] | undefined {
  if (name !== 'up.sql' && name !== 'down.sql' && name !== 'migration.sql') return undefined;
  const slash = folder.lastIndexOf('/');
  if (slash === -1) return undefined;
  const parent = folder.slice(0, slash);
  const own = folder.slice(slash + 1);
  const applied = name === 'migration.sql' ? 'migration.sql' : 'up.sql';
  const siblings = sortedOnce(files.list(parent), `${parent}\0folders`, (entries) =>
    entries
      .filter((entry) => entry.isDirectory)
      .map((entry) => entry.name)
      .sort(byCodePoint)
      .map((sibling) => ({ name: sibling, folder: `${parent}/${sibling}`, paths: { 'up.sql': `${parent}/${sibling}/up.sql`, 'migration.sql': `${parent}/${sibling}/migration.sql` } })),
  );
  const earlier = siblings.filter((sibling) => (name === 'down.sql' ? sibling.name <= own : sibling.name < own));
  return earlier.filter((sibling) => contains(files, sibling.folder, applied)).map((sibling) => sibling.paths[applied]);
}

/**
 * sqitch: changes in the order of `sqitch.plan` (next to `deploy/` or one level up), each
 * `deploy/<change>.sql`. A revert or verify script runs after its change's deploy.
 */
function sqitchDeploys(folder: string, name: string, files: MigrationSetFiles): string[] | undefined {
  const match = /^(.*)\/(deploy|revert|verify)$/.exec(folder);
  if (!match || !name.endsWith('.sql')) return undefined;
  const top = match[1]!;
  const plan = files.read(`${top}/sqitch.plan`) ?? files.read(`${parentOf(top)}/sqitch.plan`);
  if (plan === undefined) return undefined;
  const changes = planChanges(plan);
  const own = name.slice(0, -'.sql'.length);
  const position = changes.lastIndexOf(own);
  if (position === -1) return [];
  const upTo = match[2] === 'deploy' ? position : position + 1;
  return changes
    .slice(0, upTo)
    .filter((change) => contains(files, `${top}/deploy`, `${change}.sql`))
    .map((change) => `${top}/deploy/${change}.sql`);
}

/** The change names of a sqitch plan, in order; a reworked change counts once, at its last entry. */
export function planChanges(plan: string): string[] {
  const changes: string[] = [];
  for (const line of plan.split(/\r?\n/)) {
    const change = /^([A-Za-z0-9_][^\s@[:]*)\s/.exec(line)?.[1];
    if (change === undefined || line.startsWith('%')) continue;
    const earlier = changes.indexOf(change);
    if (earlier !== -1) changes.splice(earlier, 1);
    changes.push(change);
  }
  return changes;
}

/** A migration file named by its version, and where that version puts it in the set's order. */
interface Versioned {
  name: string;
  /** Compared part by part, numerically. */
  version: readonly bigint[];
  /** Flyway's repeatable migrations run after every versioned one. */
  repeatable: boolean;
  /** Rolls back (golang-migrate `.down.sql`, Flyway undo `U<version>__`): never applied in the forward direction. */
  rollback: boolean;
}

/**
 * Files in the same folder named by a version: Flyway `V<version>__<name>.sql` (then `R__` in name
 * order), Authelia `V<NNNN>.<Name>[.postgres|.all].up.sql`, golang-migrate `<version>_<name>.up.sql`,
 * and the numeric or timestamp prefixes of goose, dbmate, sql-migrate, Supabase, Drizzle, Atlas,
 * graphile-migrate and Liquibase folders.
 */
function versionedFiles(folder: string, name: string, files: MigrationSetFiles): string[] | undefined {
  const own = versionOf(name);
  if (!own) return undefined;
  const siblings = sortedOnce(files.list(folder), `${folder}\0${own.style}`, (entries) =>
    entries
      .filter((entry) => !entry.isDirectory)
      .flatMap((entry) => {
        const versioned = versionOf(entry.name);
        return versioned && versioned.style === own.style && !versioned.rollback ? [{ ...versioned, path: `${folder}/${entry.name}` }] : [];
      })
      .sort(inSetOrder),
  );
  // A rollback runs after its own migration: that one counts.
  const earlier = siblings.filter((sibling) => (own.rollback ? compareVersions(sibling, own) <= 0 : inSetOrder(sibling, own) < 0));
  return earlier.map((sibling) => sibling.path);
}

type VersionStyle = 'flyway' | 'authelia' | 'prefix';

function versionOf(name: string): (Versioned & { style: VersionStyle }) | undefined {
  if (!name.toLowerCase().endsWith('.sql')) return undefined;
  const flyway = /^([VU])(\d+(?:[._]\d+)*)__.*\.sql$/i.exec(name);
  if (flyway) return { name, version: numbers(flyway[2]!), repeatable: false, rollback: flyway[1]!.toUpperCase() === 'U', style: 'flyway' };
  if (/^R__.+\.sql$/i.test(name)) return { name, version: [], repeatable: true, rollback: false, style: 'flyway' };
  // Authelia applies, on PostgreSQL, a version's `.postgres.` or `.all.` file (or, in its per-dialect folder, the unmarked one).
  const authelia = /^V(\d+)\.[^.]+\.(?:(all|postgres|mysql|sqlite)\.)?(up|down)\.sql$/.exec(name);
  if (authelia) {
    if (authelia[2] === 'mysql' || authelia[2] === 'sqlite') return undefined;
    return { name, version: [BigInt(authelia[1]!)], repeatable: false, rollback: authelia[3] === 'down', style: 'authelia' };
  }
  const prefix = /^(\d+)(?=[_.-])/.exec(name);
  if (prefix) return { name, version: [BigInt(prefix[1]!)], repeatable: false, rollback: /\.down\.sql$/i.test(name), style: 'prefix' };
  return undefined;
}

const numbers = (version: string) => version.split(/[._]/).map((part) => BigInt(part));

function inSetOrder(a: Versioned, b: Versioned): number {
  return compareVersions(a, b) || byCodePoint(a.name, b.name);
}

function compareVersions(a: Versioned, b: Versioned): number {
  if (a.repeatable !== b.repeatable) return a.repeatable ? 1 : -1;
  const length = Math.max(a.version.length, b.version.length);
  for (let i = 0; i < length; i++) {
    // A missing part counts as 0: Flyway's 1.1 sorts like 1.1.0, before 1.1.1.
    const x = a.version[i] ?? 0n;
    const y = b.version[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Version folders (Temporal's `versioned/v1.0/…`, `versioned/v1.10/…`): every script of a lower
 * version first, the folders compared part by part (v1.2 < v1.10); within a folder, the scripts a
 * `manifest.json` lists (`SchemaUpdateCqlFiles`) in its order, else every `.sql` file by name. A set
 * when the parent holds two version folders or more, or the file's folder has a manifest.
 */
function versionFolders(folder: string, name: string, files: MigrationSetFiles): string[] | undefined {
  if (!name.toLowerCase().endsWith('.sql')) return undefined;
  const slash = folder.lastIndexOf('/');
  const own = folder.slice(slash + 1);
  if (slash === -1 || !folderVersion(own)) return undefined;
  const parent = folder.slice(0, slash);
  const versions = sortedOnce(files.list(parent), `${parent}\0version-folders`, (entries) =>
    entries
      .flatMap((entry) => {
        const version = entry.isDirectory ? folderVersion(entry.name) : undefined;
        return version ? [{ name: entry.name, version, repeatable: false, rollback: false, folder: `${parent}/${entry.name}` }] : [];
      })
      .sort(inSetOrder),
  );
  const ownManifest = manifestScripts(folder, files);
  if (versions.length < 2 && !ownManifest) return undefined;
  const earlier: string[] = [];
  for (const version of versions) {
    if (version.name === own) break;
    earlier.push(...scriptsOf(version.folder, files));
  }
  // A script its folder's manifest leaves out (Temporal's hand-run `combined_…` files) follows the lower versions only.
  const ownFolder = ownManifest ? ownManifest.slice(0, Math.max(0, ownManifest.indexOf(name))) : sqlFilesByName(folder, files).filter((other) => other < name);
  return [...earlier, ...ownFolder.map((script) => `${folder}/${script}`)];
}

/** `v1.10` → [1, 10]; a bare number needs a dot (`1.10`), so that folders named `2024` or `1` are not taken for versions. */
function folderVersion(name: string): bigint[] | undefined {
  const match = /^[vV](\d+(?:\.\d+)*)$/.exec(name) ?? /^(\d+(?:\.\d+)+)$/.exec(name);
  return match ? match[1]!.split('.').map((part) => BigInt(part)) : undefined;
}

function scriptsOf(folder: string, files: MigrationSetFiles): string[] {
  return (manifestScripts(folder, files) ?? sqlFilesByName(folder, files)).map((script) => `${folder}/${script}`);
}

/** The scripts a Temporal `manifest.json` lists, in order; undefined without a readable one. */
function manifestScripts(folder: string, files: MigrationSetFiles): string[] | undefined {
  const text = files.read(`${folder}/manifest.json`);
  if (text === undefined) return undefined;
  try {
    const listed = (JSON.parse(text) as { SchemaUpdateCqlFiles?: unknown }).SchemaUpdateCqlFiles;
    return Array.isArray(listed) && listed.every((script) => typeof script === 'string') ? (listed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

const sqlFilesByName = (folder: string, files: MigrationSetFiles) =>
  sortedOnce(files.list(folder), `${folder}\0sql-by-name`, (entries) =>
    entries
      .filter((entry) => !entry.isDirectory && entry.name.toLowerCase().endsWith('.sql'))
      .map((entry) => entry.name)
      .sort(byCodePoint),
  );

/**
 * A folder's migrations in set order, with their paths, made once per listing: a caller that lists
 * each folder once (the CLI, the language server until files change) then parses and sorts a set of
 * n migrations once, not once for each of its files, and gets the same path strings each time.
 */
function sortedOnce<T>(entries: readonly FolderEntry[] | undefined, key: string, sort: (entries: readonly FolderEntry[]) => T[]): T[] {
  if (!entries) return [];
  let byKey = SORTED.get(entries);
  if (!byKey) SORTED.set(entries, (byKey = new Map()));
  if (!byKey.has(key)) byKey.set(key, sort(entries));
  return byKey.get(key) as T[];
}

const SORTED = new WeakMap<readonly FolderEntry[], Map<string, unknown[]>>();

const contains = (files: MigrationSetFiles, folder: string, name: string) => (files.list(folder) ?? []).some((entry) => !entry.isDirectory && entry.name === name);

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const parentOf = (folder: string) => (folder.includes('/') ? folder.slice(0, folder.lastIndexOf('/')) : '.');

/**
 * The part of a migration that runs when it is applied: the text of Down sections (`-- +goose Down`,
 * `-- migrate:down`, `-- +migrate Down`, `-- Down Migration`) is blanked, line for line, up to the
 * next Up marker (dbmate files may repeat up/down pairs).
 */
export function appliedText(source: string): string {
  if (!DOWN_MARKER.test(source)) return source;
  let applied = true;
  return source
    .split('\n')
    .map((line) => {
      if (DOWN_MARKER_LINE.test(line)) applied = false;
      else if (UP_MARKER_LINE.test(line)) applied = true;
      return applied ? line : '';
    })
    .join('\n');
}

const DOWN_MARKER = /^--\s*(?:\+goose\s+down|migrate:down|\+migrate\s+down|down migration)\b/im;
const DOWN_MARKER_LINE = /^--\s*(?:\+goose\s+down|migrate:down|\+migrate\s+down|down migration)\b/i;
const UP_MARKER_LINE = /^--\s*(?:\+goose\s+up|migrate:up|\+migrate\s+up|up migration)\b/i;
