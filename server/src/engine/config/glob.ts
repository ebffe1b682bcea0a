/**
 * Glob patterns as .gitignore users write them: `*` within a path segment, `**` across segments,
 * `?` one character, `{a,b}` alternatives; a pattern without `/` matches the name at any depth.
 */
export function globToRegExp(pattern: string): RegExp {
  const anchored = pattern.includes('/') && !pattern.startsWith('**/');
  const body = pattern.replace(/^\.\//, '').replace(/^\//, '');
  let source = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '*' && body[i + 1] === '*') {
      const slash = body[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') {
      const close = body.indexOf('}', i);
      if (close === -1) source += '\\{';
      else {
        source += `(?:${body.slice(i + 1, close).split(',').map(escape).join('|')})`;
        i = close;
      }
    } else source += escape(c);
  }
  // A directory pattern (`legacy/`, `legacy`) also excludes everything below it.
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${source.replace(/\/$/, '')}(?:/.*)?$`);
}

const escape = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

/** Whether a path relative to the patterns' base directory (with `/` separators) matches any pattern. */
export function matchesAny(relativePath: string, patterns: readonly RegExp[]): boolean {
  return patterns.some((pattern) => pattern.test(relativePath));
}
