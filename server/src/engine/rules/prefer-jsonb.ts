import type { Rule } from './rule';
import { GENERATED_SQL_NOTE, styleReports } from './support/generated-sql';
import { baseTypeName, columnName, replaceTypeFix, typeSites, withArrayBounds } from './support/column-types';

/** `json` is stored as text: no equality, no indexes, parsed again on every access. */
export const preferJsonb: Rule = {
  id: 'prefer-jsonb',
  severity: 'info',
  category: 'style',
  docs: {
    summary: 'A column typed `json`; `jsonb` supports equality, indexing and fast access.',
    why:
      '`json` keeps the input text verbatim and re-parses it on every access. It has no equality operator, so ' +
      '`SELECT DISTINCT`, `GROUP BY`, `UNION` and unique constraints on the column fail, and it cannot be indexed with ' +
      'GIN. `jsonb` stores a parsed binary form that supports all of these. Changing the type later rewrites the ' +
      'table under an ACCESS EXCLUSIVE lock, so choose it when the column is created.',
    example: { bad: 'CREATE TABLE events (payload json);', good: 'CREATE TABLE events (payload jsonb);' },
    instead:
      'Use `jsonb`, unless you must keep the document byte for byte (key order, duplicate keys, whitespace). The quick fix ' +
      'is applied automatically in a `CREATE TABLE` (or an `ADD COLUMN` to a table created in the same migration); on ' +
      'an existing table it is offered but not applied blindly.' +
      ` ${GENERATED_SQL_NOTE}`,
  },
  facts: [],
  fixChecks: [{ setup: [], migration: 'CREATE TABLE lockguard_events (id bigint, payload json NOT NULL, history json[]);\n' }],
  check(statement, context) {
    return styleReports(
      context,
      typeSites(statement, context)
        .filter((site) => baseTypeName(site.type) === 'json')
        .map((site) => ({
          message: `${columnName(site)} is json: it has no equality operator (DISTINCT, GROUP BY and UNIQUE fail), cannot be indexed, and is re-parsed on every access. Use jsonb.`,
          range: site.range,
          fixes: [replaceTypeFix(site, withArrayBounds('jsonb', site.type), 'Use jsonb')],
        })),
    );
  },
};
