/**
 * The migrations that run before a given one, in the order its migration tool applies them, and the
 * part of each file that is the "up" migration. Tools order by the version at the start of the name
 * (Flyway `V1_2__x.sql`, golang-migrate `0001_x.up.sql`, dbmate/Supabase timestamps, Prisma and diesel
 * folders `20240101_x/migration.sql` / `up.sql`); plain folders of numbered files sort the same way.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

interface Candidate {
  path: string;
  /** The name the tool orders by: the file, or its folder for one-folder-per-migration tools. */
  key: string;
  /** Flyway's repeatable migrations (`R__`) run after every versioned one. */
  repeatable: boolean;
}

const DOWN = /(^|[._/])down\.sql$|^U\d[^/]*__.*\.sql$/i;
const FOLDER_MIGRATION = /^(migration|up)\.sql$/;

/** The earlier migrations of `file`'s folder (or of its parent, for folder-per-migration tools), oldest first. */
export function earlierMigrations(file: string): string[] {
  const own = candidateFor(file);
  const root = FOLDER_MIGRATION.test(basename(file)) ? dirname(dirname(file)) : dirname(file);
  const all = listCandidates(root).sort(compareCandidates);
  const position = all.findIndex((candidate) => candidate.path === file);
  const earlier = position >= 0 ? all.slice(0, position) : all.filter((candidate) => compareCandidates(candidate, own) < 0);
  return earlier.map((candidate) => candidate.path);
}

function listCandidates(root: string): Candidate[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const found: Candidate[] = [];
  for (const entry of entries) {
    const path = join(root, entry);
    if (entry.endsWith('.sql') && !DOWN.test(entry)) found.push(candidateFor(path));
    else if (isDirectory(path)) {
      for (const name of ['migration.sql', 'up.sql']) if (isFile(join(path, name))) found.push(candidateFor(join(path, name)));
    }
  }
  return found;
}

function candidateFor(path: string): Candidate {
  const key = FOLDER_MIGRATION.test(basename(path)) ? basename(dirname(path)) : basename(path);
  return { path, key, repeatable: /^R__/i.test(key) };
}

/** Versions compare numerically part by part (`V2` before `V10`, `1.2` before `1.10`), then by name. */
function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.repeatable !== b.repeatable) return a.repeatable ? 1 : -1;
  const va = versionOf(a.key);
  const vb = versionOf(b.key);
  for (let i = 0; i < Math.max(va.length, vb.length); i++) {
    const diff = (va[i] ?? -1) - (vb[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return a.key.localeCompare(b.key);
}

function versionOf(name: string): number[] {
  const match = /^[VvRr]?(\d+(?:[._]\d+)*)(?=__|_|\.|-|$)/.exec(name);
  if (!match) return [];
  return match[1]!.split(/[._]/).map(Number);
}

/** The part of a migration file that migrates up: dbmate's and node-pg-migrate's down sections are left out. */
export function upSection(text: string): string {
  const down = /^--\s*(migrate:down|Down Migration)\b/im.exec(text);
  return down ? text.slice(0, down.index) : text;
}

/** A path for messages, relative to the folder being checked. */
export function displayPath(path: string, from: string): string {
  const shown = relative(from, path);
  return shown.startsWith('..') ? path : shown.split(sep).join('/');
}

const isDirectory = (path: string) => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};
const isFile = (path: string) => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};
