import type { LockMode, Operation } from '../locks/lock-modes';
import type { RelationName } from '../model/relations';
import type { SchemaHistory } from '../model/schema/objects';
import type { MigrationModel } from '../model/migration';
import type { Statement } from '../model/statement';
import type { OffsetRange } from '../text/positions';
import { aboutFile } from './support/recorded-questions';
import type { LintOptions } from '../options';

/**
 * Severity contract, shared by every rule and by the CLI's exit code:
 * - `error`: on a table that already exists, it blocks reads or writes for a time that grows with
 *   the table, or fails on a non-empty table, or breaks running application code;
 * - `warning`: risky but bounded (e.g. a blocking lock taken without `lock_timeout`);
 * - `info`: advice.
 */
export type Severity = 'error' | 'warning' | 'info';

/** PostgreSQL major versions a fact holds for; `until` is inclusive, absent = still true today. */
export interface VersionRange {
  from: number;
  until?: number;
}

/** A lock or failure fact from the PostgreSQL documentation, verified on a real server by the Postgres tests. */
export type Fact = LockFact | NoLockFact | FailureFact;

export interface LockFact {
  kind: 'lock';
  /** The statement form, e.g. `CREATE INDEX … ON table` */
  statement: string;
  mode: LockMode;
  /** Which object carries the lock, e.g. "the indexed table". */
  on: string;
  /** The application operations the lock makes wait (as the conflict matrix predicts; measured by the tests). */
  blocks: readonly Operation[];
  rewrite: boolean;
  fullScan: boolean;
  versions: VersionRange;
  /** Where the PostgreSQL documentation says so. */
  source: string;
  /** Run inside BEGIN … ROLLBACK on a seeded table; `pg_locks` must show `mode` on `relation`. */
  probe: { setup: readonly string[]; statement: string; relation: string };
}

/** A form that holds no lock on the relation once it has run: `pg_locks` must show none there (and `blocks` is empty). */
export interface NoLockFact extends Omit<LockFact, 'mode'> {
  mode: 'none';
}

export interface FailureFact {
  kind: 'failure';
  statement: string;
  /** SQLSTATE PostgreSQL raises, e.g. 25001 (active_sql_transaction). */
  sqlstate: string;
  message: string;
  versions: VersionRange;
  source: string;
  /** Run inside BEGIN … ROLLBACK after `setup`; it must fail with `sqlstate`. */
  probe: { setup: readonly string[]; statement: string };
  /**
   * The versions that accept the statement, for a form PostgreSQL only rejects on some versions: there
   * the probe runs after `setup` in autocommit and must succeed. Absent: no version accepts it.
   */
  accepted?: VersionRange;
}

export interface RuleDocs {
  /** One line: what the rule catches. */
  summary: string;
  /** Why it hurts production (Markdown). */
  why: string;
  example: { bad: string; good: string };
  /** What to do instead (Markdown). */
  instead: string;
}

/** An edit of the file, in UTF-16 offsets. */
export interface TextEdit {
  range: OffsetRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The safe rewrite an editor should offer first. */
  preferred: boolean;
  /**
   * Safe to apply without looking (editor "fix all" on save, `source.fixAll.lockguard`): the rewrite
   * keeps the migration's meaning and cannot fail where the original would have succeeded.
   */
  autoApplicable: boolean;
  /**
   * Files the fix creates (a new migration that runs outside a transaction, say). `path` is relative
   * to the migration's folder (it may start with `../`); the file must not exist yet.
   */
  createFiles?: readonly CreatedFile[];
}

/** A file a fix creates, beside the edits to the migration itself. */
export interface CreatedFile {
  path: string;
  text: string;
}

/**
 * A migration the rule flags, and the fixture it runs against: with every preferred fix of the
 * rule applied, it must parse, no longer be flagged, and run on a real server (Postgres tests).
 */
export interface FixCheck {
  setup: readonly string[];
  migration: string;
  /** PostgreSQL versions the fix exists for (e.g. DETACH … CONCURRENTLY from 14); all when absent. */
  versions?: VersionRange;
  /**
   * The linter reads `setup` as the earlier migrations of the set (the tables, keys and columns it
   * declares), as the CLI reads a project's folder; otherwise it sees the migration alone.
   */
  setupIsEarlierMigrations?: true;
  /** A query run after the fixed migration, whose first column must be true (e.g. every row was backfilled). */
  afterwards?: string;
}

/** The lock behind a finding, for hovers and reports. */
export interface LockImpact {
  mode: LockMode;
  relation: RelationName;
  blocks: readonly Operation[];
}

/** Another place in the file that explains a finding. */
export interface RelatedLocation {
  range: OffsetRange;
  message: string;
}

/** What a rule reports about one statement. */
export interface Report {
  message: string;
  /** Defaults to the statement's range. */
  range?: OffsetRange;
  fixes?: Fix[];
  /** Why no fix is offered, when a user would expect one. */
  noFixReason?: string;
  /**
   * For a statement a DO block runs, where no rewrite is offered: why, and what to do by hand instead.
   * Absent: the general reason (move the statement out of the block), which suits the CONCURRENTLY forms.
   */
  noFixReasonInDoBlock?: string;
  lock?: LockImpact;
  /** The safe alternative in one line, for hovers. */
  safeAlternative?: string;
  /** Lowers the rule's severity for this report (e.g. a syntax error in templated SQL the tool fills in). */
  severity?: Severity;
  related?: RelatedLocation[];
}

export interface RuleContext {
  source: string;
  statements: readonly Statement[];
  options: LintOptions;
  /** How the project's migration runner executes the file: framework, sections, transactions. */
  migration: MigrationModel;
  /** Whether the relation was created by an earlier statement of this file (so nobody else uses it yet). */
  isCreatedInFile(relation: RelationName, beforeStatement: number): boolean;
  /**
   * The schema known before each statement: declared by this file and by the earlier migrations of
   * its set (`options.priorSchema`), names resolved as PostgreSQL resolves them. A rule that reads it
   * depends on the whole file (see ../incremental.ts).
   */
  schema: SchemaHistory;
}

/**
 * Wraps a derivation from a file (its analysis context, or its statements) so it runs once per
 * analysis, however many statements of the file ask for it: rules that look at the whole file for
 * each statement stay linear. Derived from a context, its value is what a rule that uses it depends
 * on (a recorded question, see support/recorded-questions.ts); derived from the statement list, which
 * the caller read, the rule depends on the whole file (see ../incremental.ts).
 */
export function perFile<File extends RuleContext | readonly Statement[], T>(derive: (file: File) => T): (file: File) => T {
  const derived = new WeakMap<readonly Statement[], T>();
  const memoized = (file: File): T => {
    const statements = isStatementList(file) ? file : file.statements;
    if (derived.has(statements)) return derived.get(statements) as T;
    const value = derive(file);
    derived.set(statements, value);
    return value;
  };
  const asked = aboutFile('perFile', (context: RuleContext) => memoized(context as File));
  return (file) => (isStatementList(file) ? memoized(file) : asked(file as RuleContext));
}

const isStatementList = (file: RuleContext | readonly Statement[]): file is readonly Statement[] => Array.isArray(file);

/**
 * What a rule is about, as a DBA groups migration hazards; lockguard.json can set a whole category
 * (`"categories": { "style": "off" }`), and the docs, `lockguard rules` and SARIF show it.
 */
export const RULE_CATEGORIES = ['locks', 'rewrites', 'breaking-changes', 'transactions', 'hygiene', 'style'] as const;
export type RuleCategory = (typeof RULE_CATEGORIES)[number];

/** One line per category, for the docs and `lockguard rules`. */
export const CATEGORY_DESCRIPTIONS: Readonly<Record<RuleCategory, string>> = {
  locks: 'A lock that makes the application\'s reads or writes wait.',
  rewrites: 'A rewrite or a full scan of a table, under a lock, for a time that grows with the table.',
  'breaking-changes': 'A drop, rename or other change that breaks the application code still running.',
  transactions: 'How the statements are grouped into transactions: what fails in one, or is left open.',
  hygiene: 'Whether the migration runs, re-runs and stops safely: syntax, versions, timeouts, IF [NOT] EXISTS, suppressions.',
  style: 'Column types and names that cause trouble later.',
};

export interface Rule {
  /** Stable id, used in settings, suppressions and the CLI's output. */
  id: string;
  severity: Severity;
  category: RuleCategory;
  docs: RuleDocs;
  facts: readonly Fact[];
  /** Migrations whose fixed version must run on PostgreSQL (every rule that offers a rewrite has at least one). */
  fixChecks: readonly FixCheck[];
  /**
   * `off`: advice most teams would switch off, so it runs only when a setting (lockguard.json, the
   * editor, the CLI) gives the rule a severity. Absent: the rule runs unless a setting turns it off.
   */
  defaultSetting?: 'off';
  check(statement: Statement, context: RuleContext): Report[];
}

/** Whether the rule runs with these options: its configured setting, or else its default. */
export const isRuleEnabled = (rule: Rule, options: LintOptions): boolean => (options.rules[rule.id] ?? rule.defaultSetting) !== 'off';
