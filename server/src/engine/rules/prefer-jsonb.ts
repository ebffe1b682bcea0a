import type { Statement } from '../model/statement';
import type { Rule, RuleContext } from './rule';
import { GENERATED_SQL_NOTE, styleReports } from './support/generated-sql';
import { commentsAboutColumn } from './support/column-comments';
import { baseTypeName, columnName, replaceTypeFix, typeSites, withArrayBounds, type TypeSite } from './support/column-types';

/** `json` is stored as text: no equality, no index operator class, parsed again on every access. */
export const preferJsonb: Rule = {
  id: 'prefer-jsonb',
  severity: 'info',
  category: 'style',
  docs: {
    summary: 'A column typed `json`; `jsonb` supports equality, indexing and fast access.',
    why:
      '`json` keeps the input text verbatim and re-parses it on every access. It has no equality operator, so ' +
      '`SELECT DISTINCT`, `GROUP BY`, `UNION` and unique constraints on the column fail, and no index operator class: ' +
      "only expressions extracted from it (`(payload->>'id')`) can be indexed, not the column itself (no GIN). " +
      '`jsonb` stores a parsed binary form that supports all of these. Changing the type later rewrites the ' +
      'table under an ACCESS EXCLUSIVE lock, so choose it when the column is created.',
    example: { bad: 'CREATE TABLE events (payload json);', good: 'CREATE TABLE events (payload jsonb);' },
    instead:
      'Use `jsonb`, unless the exact text matters: `jsonb` normalises it (it drops whitespace, orders the keys its own ' +
      'way and keeps only the last of duplicate keys), so a hash or signature computed over the stored text, or a ' +
      'document returned byte for byte, changes. The quick fix is therefore offered, never preferred nor applied ' +
      'automatically. Not reported when a comment at the column explains the choice of `json` (on its line, on the ' +
      'lines just above it, above its statement naming the column, or a `COMMENT ON COLUMN` in the file that names jsonb, the exact or verbatim text, key ' +
      'order, whitespace, duplicate keys, a hash, checksum or signature).' +
      ` ${GENERATED_SQL_NOTE}`,
  },
  facts: [],
  // No fixChecks: they apply a rule's preferred fixes, and this one is never preferred (it changes what is stored).
  fixChecks: [],
  check(statement, context) {
    return styleReports(
      context,
      typeSites(statement, context)
        .filter((site) => baseTypeName(site.type) === 'json' && !chosenOnPurpose(site, statement, context))
        .map((site) => ({
          message:
            `${columnName(site)} is json: it has no equality operator (DISTINCT, GROUP BY and UNIQUE fail), no index operator class (only ` +
            'expressions extracted from it can be indexed), and is re-parsed on every access. Use jsonb, unless the exact text matters: ' +
            'jsonb normalises it (whitespace, key order, duplicate keys), so what is read back can differ from what was written.',
          range: site.range,
          // Not preferred: jsonb changes the stored text, which a hash or signature of it may rely on.
          fixes: [
            {
              ...replaceTypeFix(site, withArrayBounds('jsonb', site.type), 'Use jsonb (normalises the stored text)', false),
              preferred: false,
            },
          ],
        })),
    );
  },
};

/** A comment that gives a reason to keep the text as written: the author chose json on purpose. */
const JSON_CHOSEN =
  /\bjsonb\b|\bexact|\bverbatim|byte[- ]for[- ]byte|\bas (?:written|received|sent)\b|\bkey order|order of (?:the )?keys|\bwhitespace|duplicate keys?|\bhash|\bchecksum|\bsignature|\bsigned\b|\breproduc|\bcanonical/i;

/** Whether a comment at the column (./support/column-comments.ts) explains the choice of json. */
function chosenOnPurpose(site: TypeSite, statement: Statement, context: RuleContext): boolean {
  const table = { schema: site.table.schema, name: site.table.name };
  return commentsAboutColumn(statement, context, table, site.column, site.range.start - statement.range.start).some((comment) =>
    JSON_CHOSEN.test(comment),
  );
}
