import { parseArgs } from 'node:util';
import { version } from '../../../package.json';
import { runCheck } from './check-command';
import { runLint } from './lint-command';
import { runLanguageServer } from './lsp-command';
import { runStats } from './stats-command';
import { UsageError } from './usage';

const HELP = `lockguard ${version} — stops PostgreSQL migrations from taking production down

Usage:
  lockguard lint [--format F] [--pg-version N] [--transaction-mode M] [--fail-on S | --exit-zero]
                 [--changed-since REF] PATH...
      Lint SQL migrations. PATH is a file, a directory (searched for *.sql) or a quoted glob
      ('migrations/**/*.sql').
      --format          text (default; file:line:col severity rule message, code frame, fix), json,
                        sarif (SARIF 2.1.0, for code scanning), github (Actions annotations) or
                        gitlab (code quality report)
      --pg-version      PostgreSQL major version the migrations run on (10–18; default: lockguard.json's
                        pgVersion, else 15)
      --transaction-mode  auto (default: detect the migration tool's wrapping), always or never
      --fail-on S       exit 1 when a finding of severity S or above is found: error (default),
                        warning or info
      --max-severity S  the same threshold from the other side: pass with findings up to S (none,
                        info, warning, error), fail above it
      --exit-zero       report findings but exit 0 (for demos and advisory runs)
      --changed-since   lint only the files in PATH added or modified since git ref REF (its merge
                        base with HEAD), including uncommitted and untracked files
  lockguard check FILE [--url URL] [--production-url URL | --stats FILE | --rows TABLE=N...]
                 [--format text|json|markdown] [--lock-timeout MS] [--statement-timeout MS]
      Run the migration in a transaction that is always rolled back and report its locks, what they
      block (measured from a second connection), rewrites, scans and run time. Without --url it runs
      on an embedded PostgreSQL (PGlite) built from the earlier migrations of FILE's folder: locks,
      rewrites and scans, no timings. The URL holds no password: PGPASSWORD, ~/.pgpass or a service
      file (PGSERVICE) supply it. --production-url (read-only, statistics only), --stats (a file from
      \`lockguard stats\`) or --rows orders=50M give production sizes to scale the timings to.
      Exit codes: 0 nothing waits; 1 reads or writes of other sessions wait, or a statement failed;
      2 usage, file or connection problem, or cancelled.
  lockguard stats --url URL [--out FILE]
      Export a database's table sizes (catalog statistics, read-only) for \`lockguard check --stats\`.
  lockguard lsp --stdio
      Run the language server over standard input/output, for any LSP editor.
  lockguard --help | --version

The nearest lockguard.json above each file (pgVersion, transactionMode, rules, exclude) applies;
flags override it.

Exit codes: 0 no finding at or above --fail-on (default: no error); 1 at least one; 2 bad usage,
an unreadable file, an invalid lockguard.json, or a git failure with --changed-since.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(version + '\n');
    return 0;
  }
  if (command === 'lint') return runLint(rest);
  if (command === 'check') return runCheck(rest);
  if (command === 'stats') return runStats(rest);
  if (command === 'lsp') {
    const { values } = parseArgs({ args: rest, options: { stdio: { type: 'boolean' } }, strict: true });
    if (!values.stdio) throw new UsageError('`lockguard lsp` needs --stdio: the language server talks over standard input and output.');
    runLanguageServer();
    return -1;
  }
  throw new UsageError(`unknown command "${command}".`);
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a long-running command (the language server) decides when to exit.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`lockguard: ${(error as Error).message}\nRun \`lockguard --help\` for usage.\n`);
    } else {
      process.stderr.write(`lockguard: internal error: ${error instanceof Error ? error.stack : String(error)}\nPlease report this.\n`);
    }
    process.exitCode = 2;
  },
);
