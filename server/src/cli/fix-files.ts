import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { applyEdits, chooseFixes, createdFilePath, type CreatedFile, type Finding, type Fix } from '../engine';

/** What `lockguard lint --fix` does to one file: its new text, the fixes that make it, and the migrations they create. */
export interface FileFixes {
  file: string;
  before: string;
  after: string;
  applied: readonly { ruleId: string; title: string }[];
  /** With paths resolved against the migration's folder. */
  created: readonly CreatedFile[];
}

/**
 * Each finding's preferred fix (the findings' fixes are verified: see ../engine/fixes/verify.ts), as
 * one change of the file; undefined when there is nothing to fix. The engine's policy picks them (the
 * editor's "fix all" uses it too): fixes whose edits touch an earlier one's wait for the next pass, and
 * a fix that would create a file where one exists is not taken.
 */
export function planFixes(file: string, source: string, findings: readonly Finding[]): FileFixes | undefined {
  const mayCreateFiles = (fix: Fix) => (fix.createFiles ?? []).every((created) => !existsSync(createdFilePath(file, created.path)));
  const chosen = chooseFixes(findings, { policy: 'preferred', mayCreateFiles });
  if (chosen.length === 0) return undefined;
  return {
    file,
    before: source,
    after: applyEdits(
      source,
      chosen.flatMap(({ fix }) => fix.edits),
    ),
    applied: chosen.map(({ finding, fix }) => ({ ruleId: finding.ruleId, title: fix.title })),
    created: chosen.flatMap(({ fix }) => (fix.createFiles ?? []).map((created) => ({ path: createdFilePath(file, created.path), text: created.text }))),
  };
}

/**
 * Writes the change: the file through a temporary file renamed over it (a crash leaves the old file
 * or the new one, never half of each), and each new migration only where no file is in the way.
 */
export function writeFixes(fixes: FileFixes): void {
  for (const created of fixes.created) {
    mkdirSync(dirname(created.path), { recursive: true });
    writeFileSync(created.path, created.text, { flag: 'wx' });
  }
  const temporary = `${fixes.file}.lockguard-fix-${process.pid}`;
  writeFileSync(temporary, fixes.after, { mode: statSync(fixes.file).mode });
  renameSync(temporary, fixes.file);
}
