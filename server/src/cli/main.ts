import { version } from '../../../package.json';
import { nearestName, parseCommandArgs, type ParsedCommand } from './arguments';
import { COMMAND_NAMES, COMMANDS, isCommandName, type CommandName } from './commands';
import { commandHelp, overviewHelp } from './help';
import { UsageError } from './usage';

type Run<Name extends CommandName> = Extract<ParsedCommand<(typeof COMMANDS)[Name]>, { kind: 'run' }>;

/**
 * Each command's module is loaded only when it runs: `lint` never loads the staging check's
 * database driver nor the language server, which a cold start would otherwise pay for.
 */
const RUNNERS: { [Name in CommandName]: (run: Run<Name>) => Promise<number> } = {
  lint: async ({ values, positionals }) => (await import('./lint-command')).runLint(values, positionals),
  check: async ({ values, positionals }) => (await import('./check-command')).runCheck(values, positionals),
  rules: async ({ values, positionals }) => (await import('./rules-command')).runRules(values, positionals),
  stats: async ({ values }) => (await import('./stats-command')).runStats(values),
  lsp: async ({ values }) => {
    if (!values.stdio) throw new UsageError('`lockguard lsp` needs --stdio: the language server talks over standard input and output.');
    (await import('./lsp-command')).runLanguageServer();
    return -1;
  },
  help: async ({ positionals }) => {
    const [topic, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError('`lockguard help` takes one command name: lockguard help lint.');
    process.stdout.write(topic === undefined ? overviewHelp(version) : commandHelp(COMMANDS[commandNamed(topic)]));
    return 0;
  },
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(overviewHelp(version));
    return 2;
  }
  if (command === '--help' || command === '-h') return RUNNERS.help({ kind: 'run', values: {}, positionals: [] });
  if (command === '--version' || command === '-v' || command === '-V') {
    process.stdout.write(version + '\n');
    return 0;
  }
  return dispatch(commandNamed(command), rest);
}

async function dispatch<Name extends CommandName>(name: Name, args: readonly string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMANDS[name], args);
  if (parsed.kind === 'help') {
    process.stdout.write(commandHelp(COMMANDS[name]));
    return 0;
  }
  return RUNNERS[name](parsed as Run<Name>);
}

function commandNamed(given: string): CommandName {
  if (isCommandName(given)) return given;
  const nearest = nearestName(given, COMMAND_NAMES);
  throw new UsageError(`unknown command "${given}"${nearest ? ` — did you mean \`lockguard ${nearest}\`?` : '.'}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a long-running command (the language server) decides when to exit.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`lockguard: ${error.message}\nRun \`lockguard --help\` for usage.\n`);
    } else {
      process.stderr.write(`lockguard: internal error: ${error instanceof Error ? error.stack : String(error)}\nPlease report this.\n`);
    }
    process.exitCode = 2;
  },
);
