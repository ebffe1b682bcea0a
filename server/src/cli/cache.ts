import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { version } from '../../../package.json';
import { earlierMigrations, type Finding, type LintOptions } from '../engine';
import { digestOf, type DiskReads, type RecordedRead } from './disk-reads';

/**
 * Where `lockguard lint` keeps its cache: in the directory it runs in, as ESLint keeps `.eslintcache`
 * and ruff `.ruff_cache`. Not `node_modules/.cache`: most projects whose migrations Lockguard lints
 * (Go, Rust, Java, Python) have no node_modules. The folder ignores itself for git (a `.gitignore`
 * of `*` inside it), so nothing needs adding to the project's.
 */
export const CACHE_DIRECTORY = '.lockguard-cache';

/** Bumped when an entry's shape changes: older entries are then never read. */
const ENTRY_FORMAT = 1;

/** One linted file's entry: what its findings were computed from, and the findings as the formats read them. */
interface CacheEntry {
  format: typeof ENTRY_FORMAT;
  key: string;
  /** Whether the findings' fixes were verified (a `--format gitlab` run, which shows no fix, skips it). */
  fixesVerified: boolean;
  /** The files and folders besides its own that the lint read, each with the digest of what it gave then. */
  reads: RecordedRead[];
  findings: Finding[];
}

/** What the schema before a migration is replayed from (`LintOptions.priorSchema`): a digest of it, and the set it belongs to. */
export interface PriorSchemaInputs {
  digest: string;
  /** The set's first migration (the file itself when it has no earlier one): the files one worker lints together. */
  set: string;
}

/**
 * A file's findings kept between runs (ESLint's `--cache`, ruff's cache): reused while the file's
 * text, Lockguard's build, the file's resolved settings, the earlier migrations of its set and every
 * other file or folder its lint read are unchanged. A missing, unreadable or corrupt entry is a miss;
 * an entry that cannot be written is skipped, with one note on stderr.
 */
export class LintCache {
  hits = 0;
  misses = 0;
  private readonly madeFolders = new Set<string>();
  private writeProblem: string | undefined;

  constructor(
    private readonly root: string,
    private readonly disk: DiskReads,
  ) {}

  /** The entry's key: everything a file's findings depend on that is known before linting it. */
  keyOf(path: string, text: string, options: Partial<LintOptions>, prior: PriorSchemaInputs): string {
    // JSON leaves the options' functions (readSibling, listSiblings) out: what they read is checked entry by entry.
    return digestOf(JSON.stringify([ENTRY_FORMAT, version, buildDigest(), path, digestOf(text), options, prior.digest]));
  }

  /** The cached findings, or undefined when the entry is missing, corrupt or out of date. */
  lookup(path: string, key: string, needsVerifiedFixes: boolean): Finding[] | undefined {
    const entry = this.readEntry(path);
    const fresh =
      entry !== undefined &&
      entry.key === key &&
      (entry.fixesVerified || !needsVerifiedFixes) &&
      entry.reads.every(([kind, readPath, digest]) => this.disk.digest({ kind, path: readPath }) === digest);
    if (!fresh) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return entry.findings;
  }

  /** Keeps a file's findings, given as JSON (as a worker thread sends them). */
  store(path: string, key: string, reads: RecordedRead[], findingsJson: string, fixesVerified: boolean): void {
    if (this.writeProblem !== undefined) return;
    const entry = `{"format":${ENTRY_FORMAT},"key":${JSON.stringify(key)},"fixesVerified":${fixesVerified},"reads":${JSON.stringify(reads)},"findings":${findingsJson}}`;
    const file = this.entryPath(path);
    const folder = file.slice(0, file.lastIndexOf('/'));
    try {
      if (!this.madeFolders.has(folder)) {
        this.createRoot();
        mkdirSync(folder, { recursive: true });
        this.madeFolders.add(folder);
      }
      // Written aside and renamed into place: a run stopped halfway, or two runs at once, leave no half-written entry.
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, entry);
      renameSync(temporary, file);
    } catch (error) {
      this.writeProblem = (error as NodeJS.ErrnoException).code ?? String(error);
      process.stderr.write(`lockguard: cannot write the cache in ${this.root} (${this.writeProblem}): the next run lints these files again. Pass --no-cache to lint without it.\n`);
    }
  }

  private readEntry(path: string): CacheEntry | undefined {
    try {
      const entry = JSON.parse(readFileSync(this.entryPath(path), 'utf8')) as CacheEntry;
      return isEntry(entry) ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  /** One entry per linted file, named by its path: a changed file's entry is replaced, not added to. */
  private entryPath(path: string): string {
    const name = createHash('sha1').update(path).digest('hex');
    return `${this.root}/files/${name.slice(0, 2)}/${name.slice(2)}.json`;
  }

  private createRoot(): void {
    if (this.madeFolders.has(this.root)) return;
    mkdirSync(this.root, { recursive: true });
    writeFileSync(join(this.root, '.gitignore'), '# Lockguard\'s cache (lockguard lint): safe to delete.\n*\n');
    // https://bford.ch/cachedir/: backup tools skip the folder.
    writeFileSync(join(this.root, 'CACHEDIR.TAG'), 'Signature: 8a477f597d28d172789f06886806bc55\n# Lockguard\'s lint cache: safe to delete.\n');
    this.madeFolders.add(this.root);
  }
}

/**
 * What the schema before each migration is replayed from: the migrations applied before it and their
 * texts, and the listings of their folders other than the file's own (one folder per migration: a
 * framework marker added beside one of them); the file's own folder is read through its options,
 * and recorded there. The digest is chained along the set: a set of n migrations costs n hashes,
 * not n², and each file compares its earlier migrations with the chain so far.
 */
export class PriorSchemaReads {
  /** Per set (by its first migration): the migrations chained so far, in order, each with the chain's digest up to it. */
  private readonly chains = new Map<string, { migrations: string[]; foreign: boolean[]; digests: string[] }>();

  constructor(private readonly disk: DiskReads) {}

  inputsOf(path: string): PriorSchemaInputs {
    const slashed = path.replace(/\\/g, '/');
    const plans: string[] = [];
    const earlier = earlierMigrations(slashed, {
      list: (folder) => this.disk.list(folder),
      read: (file) => {
        plans.push(`${file}\0${this.disk.digest({ kind: 'file', path: file })}`);
        return this.disk.read(file);
      },
    });
    const set = earlier[0] ?? slashed;
    const ownFolder = folderOf(slashed);
    const inOwnFolder = (migration: string) => migration.lastIndexOf('/') === ownFolder.length && migration.startsWith(ownFolder);
    let chain = this.chains.get(set);
    if (!chain) this.chains.set(set, (chain = { migrations: [], foreign: [], digests: [] }));
    let common = 0;
    while (common < earlier.length && chain.migrations[common] === earlier[common] && chain.foreign[common] === !inOwnFolder(earlier[common]!)) common++;
    // Where they part (not where the earlier migrations simply end), the chain is rebuilt from there.
    if (common < earlier.length) chain.migrations.length = chain.foreign.length = chain.digests.length = common;
    for (const migration of earlier.slice(common)) {
      const foreign = !inOwnFolder(migration);
      const parts = [chain.digests.at(-1) ?? '', migration, this.disk.digest({ kind: 'file', path: migration }), foreign ? this.disk.digest({ kind: 'folder', path: folderOf(migration) }) : ''];
      chain.migrations.push(migration);
      chain.foreign.push(foreign);
      chain.digests.push(digestOf(parts.join('\0')));
    }
    const digest = chain.digests[earlier.length - 1] ?? '';
    return { digest: plans.length === 0 ? digest : digestOf([digest, ...plans].join('\n')), set };
  }
}

const folderOf = (file: string) => file.slice(0, file.lastIndexOf('/'));

let bundleDigest: string | undefined;

/** The running build, so that a rebuilt Lockguard (a rule changed, the version not yet) never reads an older build's findings. */
function buildDigest(): string {
  if (bundleDigest === undefined) {
    try {
      bundleDigest = digestOf(readFileSync(__filename, 'utf8'));
    } catch {
      bundleDigest = 'unknown';
    }
  }
  return bundleDigest;
}

function isEntry(value: unknown): value is CacheEntry {
  const entry = value as Partial<CacheEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    entry.format === ENTRY_FORMAT &&
    typeof entry.key === 'string' &&
    typeof entry.fixesVerified === 'boolean' &&
    Array.isArray(entry.reads) &&
    entry.reads.every((read) => Array.isArray(read) && (read[0] === 'file' || read[0] === 'folder') && typeof read[1] === 'string' && typeof read[2] === 'string') &&
    Array.isArray(entry.findings) &&
    entry.findings.every(isFinding)
  );
}

/** Enough of a finding's shape for the formats to print it without failing. */
function isFinding(value: unknown): boolean {
  const finding = value as Partial<Finding> | null;
  return (
    typeof finding === 'object' &&
    finding !== null &&
    typeof finding.ruleId === 'string' &&
    (finding.severity === 'error' || finding.severity === 'warning' || finding.severity === 'info') &&
    typeof finding.message === 'string' &&
    typeof finding.range?.start === 'number' &&
    typeof finding.range.end === 'number' &&
    typeof finding.statementIndex === 'number' &&
    Array.isArray(finding.fixes) &&
    Array.isArray(finding.related)
  );
}
