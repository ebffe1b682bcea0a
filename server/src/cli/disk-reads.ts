import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diskFiles, type LintOptions, type PriorSchemaFiles } from '../engine';

/** One entry of a folder, as the migration set's reader sees it. */
interface FolderEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * What a lint reads besides its own file — lockguard's framework markers (`atlas.sum`, `sqitch.plan`),
 * the set's other migrations, the folder listings a fix names a new migration from — read once per
 * process: a folder of 700 migrations is listed once, not once per file and per fix tried.
 * `forget()` when files change (`--fix` writes them).
 */
export class DiskReads {
  private readonly texts = new Map<string, string | undefined>();
  private readonly listings = new Map<string, readonly FolderEntry[] | undefined>();
  private readonly digests: Record<Read['kind'], Map<string, string>> = { file: new Map(), folder: new Map() };

  read(path: string): string | undefined {
    if (!this.texts.has(path)) this.texts.set(path, readOrUndefined(path));
    return this.texts.get(path);
  }

  list(folder: string): readonly FolderEntry[] | undefined {
    if (!this.listings.has(folder)) this.listings.set(folder, listOrUndefined(folder));
    return this.listings.get(folder);
  }

  /** A short hash of what a read gives: a file's text, or a folder's names in order; the same text gives the same digest. */
  digest({ kind, path }: Read): string {
    let digest = this.digests[kind].get(path);
    if (digest === undefined) {
      const value = kind === 'file' ? this.read(path) : this.list(path)?.map((entry) => entry.name).sort().join('\n');
      this.digests[kind].set(path, (digest = value === undefined ? 'missing' : digestOf(value)));
    }
    return digest;
  }

  /** The set's files for `PriorSchemas`: read through this cache; stamps as on disk. */
  get setFiles(): PriorSchemaFiles {
    return { list: (folder) => this.list(folder), read: (path) => this.read(path), stamp: (path) => diskFiles.stamp(path) };
  }

  forget(): void {
    this.texts.clear();
    this.listings.clear();
    this.digests.file.clear();
    this.digests.folder.clear();
  }
}

/** A file read, or a folder listed. */
export interface Read {
  kind: 'file' | 'folder';
  path: string;
}

/** A read and the digest of what it gave, as a cache entry keeps it. */
export type RecordedRead = [kind: Read['kind'], path: string, digest: string];

/**
 * The reads of one file's lint: its options read siblings through here (instead of the
 * resolver's direct reads), so that each read is recorded with the digest of what it gave.
 */
export class RecordedReads {
  private readonly recorded = new Map<string, RecordedRead>();

  constructor(private readonly disk: DiskReads) {}

  /** The options' `readSibling` and `listSiblings` for a file in `directory`, read through the cache and recorded. */
  siblingsOf(directory: string): Pick<LintOptions, 'readSibling' | 'listSiblings'> {
    return {
      readSibling: (name) => {
        const path = join(directory, name);
        this.record({ kind: 'file', path });
        return this.disk.read(path);
      },
      listSiblings: (folder = '.') => {
        const path = join(directory, folder);
        this.record({ kind: 'folder', path });
        return this.disk.list(path)?.map((entry) => entry.name) ?? [];
      },
    };
  }

  get reads(): RecordedRead[] {
    return [...this.recorded.values()];
  }

  private record(read: Read): void {
    const key = `${read.kind}\0${read.path}`;
    if (!this.recorded.has(key)) this.recorded.set(key, [read.kind, read.path, this.disk.digest(read)]);
  }
}

export const digestOf = (text: string): string => createHash('sha1').update(text).digest('base64url');

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function listOrUndefined(folder: string): FolderEntry[] | undefined {
  try {
    return readdirSync(folder, { withFileTypes: true }).map((entry) => ({ name: entry.name, isDirectory: entry.isDirectory() }));
  } catch {
    return undefined;
  }
}
