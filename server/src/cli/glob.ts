/**
 * Globs on the command line, matched as a shell would expand them (Node 20 has no glob API): anchored
 * where they are written, `*` any characters but `/`, `?` one of them, `[abc]` / `[!abc]` a class,
 * `{a,b}` alternatives, and `**` as a whole path segment: any number of directories. (lockguard.json's
 * `exclude` patterns follow .gitignore instead: engine/config/glob.ts.)
 */

const GLOB_SYNTAX = /[*?[{]/;

/** Whether a command-line argument is a pattern rather than a path. */
export const isGlob = (text: string): boolean => GLOB_SYNTAX.test(text);

export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${translate(pattern)}$`);
}

/** The directory a pattern's matches all lie in: its segments before the first one with glob syntax. */
export function globBase(pattern: string): string {
  const segments = pattern.split('/');
  const literal = segments.slice(0, segments.findIndex((segment) => isGlob(segment)));
  if (literal.length === 0) return '.';
  return literal.join('/') || '/';
}

function translate(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*' && isWholeSegment(pattern, i, i + 2)) {
      if (pattern[i + 2] === '/') {
        source += '(?:[^/]+/)*';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      const body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      source += `[${negated ? '^/' : ''}${escapeClass(negated ? body.slice(1) : body)}]`;
      i = end;
    } else if (char === '{' && closingBrace(pattern, i) > 0) {
      const end = closingBrace(pattern, i);
      source += `(?:${splitAlternatives(pattern.slice(i + 1, end)).map(translate).join('|')})`;
      i = end;
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return source;
}

const isWholeSegment = (pattern: string, start: number, end: number) =>
  (start === 0 || pattern[start - 1] === '/') && (end === pattern.length || pattern[end] === '/');

const escapeClass = (body: string) => body.replace(/[\\\]^]/g, '\\$&');

/** Index of the `}` that closes the `{` at `open`, or -1. */
function closingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Splits `a,b{c,d},e` at the commas outside nested braces. */
function splitAlternatives(body: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '{') depth++;
    else if (body[i] === '}') depth--;
    else if (body[i] === ',' && depth === 0) {
      alternatives.push(body.slice(start, i));
      start = i + 1;
    }
  }
  alternatives.push(body.slice(start));
  return alternatives;
}
