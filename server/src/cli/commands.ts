/**
 * What each command accepts, in one place: `parseCommandArgs` parses with it and `lockguard help`
 * prints it, so the help cannot list an option the parser rejects. Kept free of engine imports:
 * `lockguard --help` must not load the linter.
 */

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean;
  /** The value's placeholder in the help, e.g. `F` in `--format F`. */
  value?: string;
  /** What it does; the help wraps it to the terminal's 100 columns. */
  help: string;
}

export interface CommandSpec {
  name: CommandName;
  /** One line, for `lockguard help`. */
  summary: string;
  usage: readonly string[];
  description: string;
  options: Readonly<Record<string, OptionSpec>>;
  allowPositionals: boolean;
  examples: readonly string[];
  /** Closing paragraphs: exit codes, configuration. */
  notes?: string;
}

export const COMMAND_NAMES = ['lint', 'check', 'rules', 'stats', 'lsp', 'help'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
export const isCommandName = (value: string): value is CommandName => (COMMAND_NAMES as readonly string[]).includes(value);

const HELP_OPTION = { type: 'boolean', short: 'h', help: 'show this help' } as const;

export const LINT_COMMAND = {
  name: 'lint',
  summary: 'lint SQL migrations for statements whose locks can block production traffic',
  usage: ['lockguard lint [options] PATH...'],
  description:
    "PATH is a file, a directory (searched for *.sql, skipping node_modules and .git) or a quoted glob ('migrations/**/*.sql'). The nearest lockguard.json above each file applies; flags override it.",
  allowPositionals: true,
  options: {
    format: {
      type: 'string',
      default: 'text',
      value: 'F',
      help: 'text (default: file:line:col severity rule message, code frame, fix), json, sarif (SARIF 2.1.0, for code scanning), github (Actions annotations) or gitlab (code quality report)',
    },
    'pg-version': { type: 'string', value: 'N', help: "PostgreSQL major version the migrations run on (10–18; default: lockguard.json's pgVersion, else 15)" },
    'transaction-mode': { type: 'string', value: 'M', help: "auto (default: detect the migration tool's wrapping), always or never" },
    rule: {
      type: 'string',
      multiple: true,
      value: 'ID=S',
      help: "a rule's severity (error, warning, info) or off, over lockguard.json's; repeat it for more rules, e.g. --rule missing-statement-timeout=warning (`lockguard rules` lists the ids)",
    },
    'fail-on': { type: 'string', value: 'S', help: 'exit 1 when a finding of severity S or above is found: error (default), warning or info' },
    'max-severity': { type: 'string', value: 'S', help: 'the same threshold from the other side: pass with findings up to S (none, info, warning, error), fail above it' },
    'exit-zero': { type: 'boolean', default: false, help: 'report findings but exit 0 (for demos and advisory runs)' },
    'changed-since': {
      type: 'string',
      value: 'REF',
      help: 'lint only the files in PATH added or modified since git ref REF (its merge base with HEAD), including uncommitted and untracked files',
    },
    fix: { type: 'boolean', help: "apply each finding's preferred fix (only fixes Lockguard has verified: applied, the file lints with no new error) to the files, writing each file atomically and any new migration a fix creates; prints what changed on stderr, then the findings that are left" },
    'fix-dry-run': { type: 'boolean', help: 'print the changes --fix would make, as unified diffs, and write nothing' },
    'no-cache': {
      type: 'boolean',
      help: 'lint every file again: by default a lint of a directory or glob reuses the findings of files unchanged since the last run (same text, settings, Lockguard build and earlier migrations), kept in .lockguard-cache in the current directory',
    },
    help: HELP_OPTION,
  },
  examples: [
    'lockguard lint migrations/',
    "lockguard lint --changed-since origin/main --format github 'db/migrate/**/*.sql'",
    'lockguard lint --format sarif migrations/ > lockguard.sarif',
    'lockguard lint --pg-version 17 --rule missing-statement-timeout=warning migrations/',
  ],
  notes:
    'Exit codes: 0 no finding at or above --fail-on (default: no error); 1 at least one; 2 bad usage, a missing, binary or non-UTF-8 file, an invalid lockguard.json, or a git failure with --changed-since.',
} as const satisfies CommandSpec;

export const CHECK_COMMAND = {
  name: 'check',
  summary: 'run one migration in a rolled-back transaction and report what its locks block',
  usage: ['lockguard check [options] FILE'],
  description:
    "The report lists its locks, what they block (measured from a second connection), rewrites, scans and run time. Without --url it runs on an embedded PostgreSQL (PGlite) built from the earlier migrations of FILE's folder: locks, rewrites and scans, no timings. URLs hold no password: PGPASSWORD, ~/.pgpass or a service file supply it.",
  allowPositionals: true,
  options: {
    url: { type: 'string', value: 'URL', help: 'the staging database, e.g. postgres://app@staging:5432/app (default: embedded PGlite)' },
    'production-url': { type: 'string', value: 'URL', help: 'production, read-only and for table sizes only, to scale the staging timings' },
    stats: { type: 'string', value: 'FILE', help: 'production table sizes from a file written by `lockguard stats`' },
    rows: { type: 'string', multiple: true, value: 'TABLE=N', help: 'a production row count, e.g. --rows orders=50M; repeat it for more tables' },
    format: { type: 'string', default: 'text', value: 'F', help: 'text (default), json or markdown (for a pull request comment)' },
    'lock-timeout': { type: 'string', value: 'MS', help: "how long a statement waits for another session's lock before giving up (default 2000)" },
    'statement-timeout': { type: 'string', value: 'MS', help: 'how long one statement may run (default 900000)' },
    'connect-timeout': { type: 'string', value: 'MS', help: 'how long to wait for the database to accept the connection (default 10000)' },
    help: HELP_OPTION,
  },
  examples: [
    'lockguard check migrations/002_add_index.sql',
    'lockguard check --url postgres://app@staging/app --rows orders=50M migrations/002_add_index.sql',
    'lockguard check --format markdown --url "$STAGING_URL" migrations/002_add_index.sql',
  ],
  notes:
    'Exit codes: 0 nothing waits; 1 reads or writes of other sessions wait, or a statement failed; 2 usage, file or connection problem, or cancelled.',
} as const satisfies CommandSpec;

export const RULES_COMMAND = {
  name: 'rules',
  summary: "list the rules, or show one rule's documentation",
  usage: ['lockguard rules [--severity S] [--default on|off] [--category C] [--format text|json] [WORD]', 'lockguard rules RULE-ID'],
  description:
    'Without arguments, lists every rule: id, severity, whether it is on by default, its category, and what it catches. WORD keeps the rules whose id or summary contains it. A rule id prints that rule\'s documentation.',
  allowPositionals: true,
  options: {
    severity: { type: 'string', value: 'S', help: 'only the rules of severity S: error, warning or info' },
    default: { type: 'string', value: 'on|off', help: 'only the rules on (or off) by default' },
    category: { type: 'string', value: 'C', help: 'only the rules of category C: locks, rewrites, breaking-changes, transactions, hygiene or style' },
    format: { type: 'string', default: 'text', value: 'F', help: 'text (default) or json (one object per rule: id, severity, default, category, summary, docs)' },
    help: HELP_OPTION,
  },
  examples: ['lockguard rules', 'lockguard rules index', 'lockguard rules --severity error', 'lockguard rules --category style --format json', 'lockguard rules create-index-without-concurrently'],
} as const satisfies CommandSpec;

export const STATS_COMMAND = {
  name: 'stats',
  summary: "export a database's table sizes for `lockguard check --stats`",
  usage: ['lockguard stats --url URL [--out FILE]'],
  description: 'Reads catalog statistics in a read-only transaction: no table is locked or scanned.',
  allowPositionals: false,
  options: {
    url: { type: 'string', value: 'URL', help: 'the database, e.g. postgres://readonly@production:5432/app' },
    out: { type: 'string', value: 'FILE', help: 'where to write the JSON (default: standard output)' },
    'connect-timeout': { type: 'string', value: 'MS', help: 'how long to wait for the database to accept the connection' },
    help: HELP_OPTION,
  },
  examples: ['lockguard stats --url postgres://readonly@production/app --out production-stats.json'],
} as const satisfies CommandSpec;

export const LSP_COMMAND = {
  name: 'lsp',
  summary: 'run the language server over standard input/output, for any LSP editor',
  usage: ['lockguard lsp --stdio'],
  description: 'The same server the VS Code extension runs, for Neovim, Helix, Zed and others.',
  allowPositionals: false,
  options: { stdio: { type: 'boolean', help: 'talk LSP over standard input and output (required)' }, help: HELP_OPTION },
  examples: ['lockguard lsp --stdio'],
} as const satisfies CommandSpec;

export const HELP_COMMAND = {
  name: 'help',
  summary: "show the commands, or one command's usage, options and examples",
  usage: ['lockguard help [COMMAND]'],
  description: 'The same as `lockguard COMMAND --help`.',
  allowPositionals: true,
  options: { help: HELP_OPTION },
  examples: ['lockguard help lint'],
} as const satisfies CommandSpec;

export const COMMANDS = {
  lint: LINT_COMMAND,
  check: CHECK_COMMAND,
  rules: RULES_COMMAND,
  stats: STATS_COMMAND,
  lsp: LSP_COMMAND,
  help: HELP_COMMAND,
} as const satisfies Record<CommandName, CommandSpec>;
