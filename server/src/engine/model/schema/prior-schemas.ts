import { defaultOptions } from '../../options';
import type { PostgresParser } from '../../parse/parser';
import { buildStatements } from '../build';
import { appliedText, earlierMigrations, type FolderEntry, type MigrationSetFiles } from '../migration-set';
import { EMPTY_SCHEMA, type SchemaSnapshot } from './catalogue';
import { schemaAfter } from './replay';

/** The set's files, and a stamp that changes whenever a file's content does (size and modification time). */
export interface PriorSchemaFiles extends MigrationSetFiles {
  stamp(path: string): string | undefined;
}

/** The schema after one migration, and what it was built from. */
interface SchemaAfterFile {
  stamp: string;
  /** The schema the migrations before it left (compared by identity: a change before it rebuilds it). */
  base: SchemaSnapshot;
  after: SchemaSnapshot;
}

/**
 * The schema the earlier migrations of a file's set leave (`LintOptions.priorSchema`), for the CLI
 * and the language server. Each migration is parsed and replayed once, on top of the one before it,
 * and kept while its stamp and everything before it stay the same: linting a folder file by file
 * replays each file once. Folder listings and stamps are read once until `forget()` (the language
 * server calls it when files change on disk).
 */
export class PriorSchemas {
  private readonly listings = new Map<string, readonly FolderEntry[] | undefined>();
  private readonly plans = new Map<string, string | undefined>();
  private readonly stamps = new Map<string, string | undefined>();
  private readonly afterFile = new Map<string, SchemaAfterFile>();
  private readonly remembered: MigrationSetFiles = {
    list: (folder) => remember(this.listings, folder, () => this.files.list(folder)),
    read: (path) => remember(this.plans, path, () => this.files.read(path)),
  };

  constructor(
    private readonly parser: PostgresParser,
    private readonly files: PriorSchemaFiles,
  ) {}

  /** The schema before `filePath` runs; undefined when the file belongs to no set Lockguard recognises, or is its first migration. */
  before(filePath: string): SchemaSnapshot | undefined {
    const earlier = earlierMigrations(filePath, this.remembered);
    if (earlier.length === 0) return undefined;
    let schema = EMPTY_SCHEMA;
    for (const path of earlier) schema = this.after(path, schema);
    return schema;
  }

  /** Files may have changed on disk: list folders and compare stamps again (unchanged migrations are not replayed). */
  forget(): void {
    this.listings.clear();
    this.plans.clear();
    this.stamps.clear();
  }

  private after(path: string, base: SchemaSnapshot): SchemaSnapshot {
    const stamp = remember(this.stamps, path, () => this.files.stamp(path));
    if (stamp === undefined) return base;
    const cached = this.afterFile.get(path);
    if (cached && cached.stamp === stamp && cached.base === base) return cached.after;
    const after = this.replay(path, base);
    this.afterFile.set(path, { stamp, base, after });
    return after;
  }

  /** A file that cannot be read or parsed leaves the schema as it was: what parses of it still counts. */
  private replay(path: string, base: SchemaSnapshot): SchemaSnapshot {
    const source = this.files.read(path);
    if (source === undefined) return base;
    const folder = path.slice(0, path.lastIndexOf('/') + 1);
    const options = { ...defaultOptions(), filePath: path, readSibling: (name: string) => this.files.read(folder + name) };
    try {
      return schemaAfter(buildStatements(appliedText(source), this.parser, options), base);
    } catch {
      return base;
    }
  }
}

function remember<T>(memo: Map<string, T>, key: string, read: () => T): T {
  if (memo.has(key)) return memo.get(key) as T;
  const value = read();
  memo.set(key, value);
  return value;
}
