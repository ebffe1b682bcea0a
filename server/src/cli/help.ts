import { COMMAND_NAMES, COMMANDS, type CommandSpec, type OptionSpec } from './commands';

/** `lockguard help`: every command in a line, and where to read more. */
export function overviewHelp(version: string): string {
  const width = Math.max(...COMMAND_NAMES.map((name) => name.length));
  return [
    `lockguard ${version} — stops PostgreSQL migrations from taking production down`,
    '',
    'Usage: lockguard COMMAND [options]',
    '',
    'Commands:',
    ...COMMAND_NAMES.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`),
    '',
    'Run `lockguard COMMAND --help` (or `lockguard help COMMAND`) for its options and examples;',
    '`lockguard --version` prints the version.',
    '',
    'The nearest lockguard.json above each file (pgVersion, transactionMode, rules, exclude) applies;',
    'flags override it.',
    '',
  ].join('\n');
}

const WIDTH = 100;
const OPTION_COLUMN = 24;

/** `lockguard COMMAND --help`: usage, what it does, every option the parser accepts, examples. */
export function commandHelp(spec: CommandSpec): string {
  const [first, ...others] = spec.usage;
  const lines = [`Usage: ${first}`, ...others.map((usage) => `       ${usage}`), '', ...wrap(`${capitalise(spec.summary)}. ${spec.description}`, WIDTH), '', 'Options:'];
  for (const [name, option] of Object.entries(spec.options)) lines.push(...optionLines(name, option));
  lines.push('', 'Examples:', ...spec.examples.map((example) => `  ${example}`));
  if (spec.notes) lines.push('', ...wrap(spec.notes, WIDTH));
  return lines.join('\n') + '\n';
}

function optionLines(name: string, option: OptionSpec): string[] {
  const flag = `${option.short ? `-${option.short}, ` : ''}--${name}${option.value ? ` ${option.value}` : ''}`;
  const [first = '', ...rest] = wrap(option.help, WIDTH - OPTION_COLUMN);
  const head = `  ${flag}`;
  const indent = ' '.repeat(OPTION_COLUMN);
  const firstLine = head.length < OPTION_COLUMN ? `${head.padEnd(OPTION_COLUMN)}${first}` : `${head}\n${indent}${first}`;
  return [firstLine, ...rest.map((line) => `${indent}${line}`)];
}

/** Words into lines of at most `width` columns (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
