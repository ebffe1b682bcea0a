import type { Finding } from './findings';
import type { Statement } from './model/statement';

/** What an analysis says about one place in its file (the editor's hover). */
interface AnalysedFile {
  statements: readonly Statement[];
  findings: readonly Finding[];
}

/** The statement whose text contains `offset` (its ends included). */
export const statementAt = (analysis: AnalysedFile, offset: number): Statement | undefined =>
  analysis.statements.find((statement) => offset >= statement.range.start && offset <= statement.range.end);

/**
 * The findings that explain `offset`: those on the statement there, not only those whose own range
 * (often a keyword or a name) contains it, so that anywhere on a flagged statement tells why.
 */
export function findingsAt(analysis: AnalysedFile, offset: number): Finding[] {
  return analysis.findings.filter((finding) => {
    const statement = analysis.statements[finding.statementIndex];
    const range = statement
      ? { start: Math.min(statement.range.start, finding.range.start), end: Math.max(statement.range.end, finding.range.end) }
      : finding.range;
    return offset >= range.start && offset <= range.end;
  });
}
