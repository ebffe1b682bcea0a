import type { Rule } from './rule';
import { GENERATED_SQL_NOTE, styleReports } from './support/generated-sql';
import { baseTypeName, isArray, typeModifiers, typeSites } from './support/column-types';
import { lengthLimitReport } from './support/length-limit';

/** char(n) pads with spaces, compares ignoring them, and is no faster than text. */
export const avoidCharN: Rule = {
  id: 'avoid-char-n',
  severity: 'info',
  category: 'style',
  docs: {
    summary: 'A column typed `char(n)`/`character(n)` (blank-padded); use `text` (with a CHECK on its length if needed).',
    why:
      '`char(n)` pads every value with spaces to n characters, ignores trailing spaces when comparing, and drops them ' +
      'when converting to other string types: `\'ab\'::char(3) = \'ab \'` is true, `length()` and `LIKE` disagree. It is ' +
      'stored like `text` plus the padding, so it is never faster. Its length limit, like `varchar(n)`\'s, can only ' +
      'change with an ALTER COLUMN TYPE under an ACCESS EXCLUSIVE lock. (`char` without a length is `char(1)`; the ' +
      'quoted one-byte `"char"` type is not flagged.)',
    example: { bad: 'CREATE TABLE countries (code char(2) PRIMARY KEY);', good: 'CREATE TABLE countries (code text CHECK (char_length(code) <= 2) PRIMARY KEY);' },
    instead:
      'Use `text`, with `CHECK (char_length(col) <= n)` (or `= n`) when the length matters. The quick fix rewrites a ' +
      'new table\'s column so; it is not applied automatically, because padding and comparison semantics change.' +
      ` ${GENERATED_SQL_NOTE}`,
  },
  facts: [],
  fixChecks: [{ setup: [], migration: 'CREATE TABLE lockguard_countries (code char(2) PRIMARY KEY, flag character, "Kind" character(3) NOT NULL);\n' }],
  check(statement, context) {
    return styleReports(
      context,
      typeSites(statement, context).flatMap((site) => {
        const [length] = typeModifiers(site.type);
        if (baseTypeName(site.type) !== 'bpchar' || isArray(site.type)) return [];
        const limit = length ?? 1;
        return [lengthLimitReport(site, `char(${limit})`, limit, 'it pads values with spaces and ignores trailing spaces when comparing')];
      }),
    );
  },
};
