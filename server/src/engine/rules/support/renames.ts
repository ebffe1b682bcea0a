import type { Statement } from '../../model/statement';
import type { OffsetRange } from '../../text/positions';
import { firstKeyword } from './keywords';

/** `RENAME [COLUMN] a TO b`: the part of a rename statement a finding underlines. */
export function renameClause(statement: Statement): OffsetRange {
  const rename = firstKeyword(statement, ['RENAME']);
  return { start: rename?.start ?? statement.range.start, end: statement.range.end };
}
