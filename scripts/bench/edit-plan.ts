/** Where the keystroke benchmark types: single characters spread evenly over the file. */

export interface Keystroke {
  /** 0-based line and UTF-16 column of the insertion, in the text as it is when the keystroke is made. */
  line: number;
  character: number;
  insert: string;
}

/** Per-keystroke characters: a rotating alphabet keeps a typed-into identifier valid SQL. */
const TYPED = 'abcdefghijklmnopqrstuvwxyz';

/**
 * `count` keystrokes, the k-th on the line k/count of the way down the file: a letter typed after the
 * first `_` of the line (inside a snake_case identifier, as when renaming something), or a space at
 * the start of a line without one. Keystrokes apply in order to the text as it is then.
 */
export function spreadKeystrokes(text: string, count: number): { keystrokes: Keystroke[]; texts: () => Iterable<string> } {
  const lines = text.split('\n');
  const keystrokes: Keystroke[] = [];
  for (let k = 0; k < count; k++) {
    const line = Math.min(lines.length - 1, Math.floor(((k + 0.5) * (lines.length - 1)) / count));
    const underscore = lines[line]!.indexOf('_');
    keystrokes.push(underscore >= 0 ? { line, character: underscore + 1, insert: TYPED[k % TYPED.length]! } : { line, character: 0, insert: ' ' });
  }
  const texts = function* () {
    const current = [...lines];
    for (const { line, character, insert } of keystrokes) {
      const before = current[line]!;
      current[line] = `${before.slice(0, character)}${insert}${before.slice(character)}`;
      yield current.join('\n');
    }
  };
  return { keystrokes, texts };
}
