import type { Report } from '../rule';
import { changesNoData, columnName, replaceTypeFix, textWithLengthCheck, type TypeSite } from './column-types';

/**
 * The finding for a length-limited string type (`varchar(n)`, `char(n)`): on a new table, a fix to
 * `text` with the limit as a CHECK; elsewhere the way to get there without blocking.
 */
export function lengthLimitReport(site: TypeSite, written: string, length: number, problem: string): Report {
  const message = `${columnName(site)} is ${written}: ${problem}. Use text, with CHECK (char_length(…) <= ${length}) if the limit matters.`;
  if (!changesNoData(site)) {
    return {
      message,
      range: site.range,
      noFixReason:
        site.kind === 'alter-type'
          ? 'A CHECK cannot be part of ALTER COLUMN … TYPE: change the type to text and add the CHECK as NOT VALID, then VALIDATE it.'
          : 'On an existing table an inline CHECK scans the table under ACCESS EXCLUSIVE: add the column as text, then the CHECK as NOT VALID, then VALIDATE it.',
    };
  }
  return { message, range: site.range, fixes: [replaceTypeFix(site, textWithLengthCheck(site, length), `Use text CHECK (char_length(…) <= ${length})`, false)] };
}
