import { dirname, resolve } from 'node:path';
import { FixVerifier, Linter, PostgresParser, PriorSchemas, type ConfigResolver } from '../engine';
import { DiskReads, RecordedReads, type RecordedRead } from './disk-reads';

/** The linter, the reads it shares across files, and the schema each migration set builds up: replayed once per set, reused across its files. */
export interface Linting {
  linter: Linter;
  disk: DiskReads;
  priorSchemas: PriorSchemas;
}

export async function startLinting(): Promise<Linting> {
  const disk = new DiskReads();
  return { linter: await Linter.create(), disk, priorSchemas: new PriorSchemas(await PostgresParser.load(), disk.setFiles) };
}

/**
 * What linting one file's text gave, in a form a worker thread sends back quickly and the cache
 * keeps as it is: the findings as JSON (copying a string between threads is much cheaper than
 * cloning thousands of objects).
 */
export interface LintedText {
  findingsJson: string;
  configProblems: string[];
  /** What the lint read besides the file (see ./disk-reads.ts). */
  reads: RecordedRead[];
}

/**
 * Lints one file. With `verifyFixes`, only fixes that, applied, remove their finding and add no
 * error are kept (see ../engine/fixes/verify.ts); without, the fixes are as the rules offer them,
 * for output that shows none.
 */
export function lintText({ linter, disk, priorSchemas }: Linting, resolver: ConfigResolver, file: string, text: string, verifyFixes: boolean): LintedText {
  const path = resolve(file);
  const settings = resolver.forFile(path);
  const reads = new RecordedReads(disk);
  const options = { ...settings.options, ...reads.siblingsOf(dirname(path)), priorSchema: priorSchemas.before(path) };
  const analysis = linter.lintIncrementally(text, options, undefined);
  const findings = verifyFixes ? new FixVerifier(linter, text, options, analysis, true).findings() : analysis.findings;
  return { findingsJson: JSON.stringify(findings), configProblems: settings.problems, reads: reads.reads };
}
