import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CommandSpec, OptionSpec } from './commands';
import { UsageError } from './usage';

type OptionValue<Option extends OptionSpec> = Option['type'] extends 'boolean'
  ? Option['multiple'] extends true
    ? boolean[]
    : boolean
  : Option['multiple'] extends true
    ? string[]
    : string;

export type OptionValues<Options extends Readonly<Record<string, OptionSpec>>> = { -readonly [Name in keyof Options]?: OptionValue<Options[Name]> };

/** A command line as its command's spec reads it, or a request for the command's help. */
export type ParsedCommand<Spec extends CommandSpec> = { kind: 'help' } | { kind: 'run'; values: OptionValues<Spec['options']>; positionals: string[] };

/**
 * Parses a command's arguments by its spec. `--help`/`-h` anywhere before `--` asks for the help,
 * whatever else is on the line; an unknown option is a `UsageError` naming the nearest valid one.
 */
export function parseCommandArgs<Spec extends CommandSpec>(spec: Spec, args: readonly string[]): ParsedCommand<Spec> {
  const beforeSeparator = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (beforeSeparator.some((arg) => arg === '--help' || arg === '-h')) return { kind: 'help' };
  const options: NonNullable<ParseArgsConfig['options']> = {};
  // Only the keys the parser knows, and only when set: it rejects an explicit `short: undefined`.
  for (const [name, { type, multiple, short, default: value }] of Object.entries<OptionSpec>(spec.options)) {
    options[name] = { type, ...(multiple ? { multiple } : {}), ...(short ? { short } : {}), ...(value === undefined ? {} : { default: value as never }) };
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: spec.allowPositionals, strict: true });
    return { kind: 'run', values: values as OptionValues<Spec['options']>, positionals };
  } catch (error) {
    throw usageErrorOf(error, spec);
  }
}

/** Node's argument-parser errors, reworded for the command at hand. */
function usageErrorOf(error: unknown, spec: CommandSpec): unknown {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? '';
  const command = `lockguard ${spec.name}`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'(-[^' ]+)'/.exec(message)?.[1] ?? message;
    const nearest = nearestName(given, Object.keys(spec.options));
    return new UsageError(`\`${command}\` has no option ${given}${nearest ? ` — did you mean --${nearest}?` : '.'} (\`${command} --help\` lists them)`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /'--([^' ]+)/.exec(message)?.[1];
    const option = name === undefined ? undefined : spec.options[name];
    if (name !== undefined && option?.type === 'string') return new UsageError(`--${name} needs a value: --${name} ${option.value ?? 'VALUE'}.`);
    if (name !== undefined) return new UsageError(`--${name} takes no value.`);
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const given = /'([^']*)'/.exec(message)?.[1];
    return new UsageError(`\`${command}\` takes no ${given === undefined ? 'arguments' : `argument "${given}"`}: ${spec.usage.join(' or ')}.`);
  }
  return error instanceof Error && code?.startsWith('ERR_PARSE_ARGS') ? new UsageError(message) : error;
}

/** The option or command a mistyped one most likely meant: the only name it begins, or one within a few edits. */
export function nearestName(given: string, names: readonly string[]): string | undefined {
  const bare = given.replace(/^-+/, '').split('=')[0]!.toLowerCase();
  if (bare.length === 0) return undefined;
  const prefixed = names.filter((name) => name.startsWith(bare));
  if (prefixed.length === 1) return prefixed[0];
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(bare, name);
    if (distance <= Math.max(2, Math.floor(name.length / 3)) && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
