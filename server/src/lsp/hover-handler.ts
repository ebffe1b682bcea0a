import type { Connection, Hover, HoverParams } from 'vscode-languageserver';
import { findingsAt, statementAt } from '../engine';
import type { AnalysisScheduler } from './analysis-scheduler';
import { executionMarkdown, hoverMarkdown } from './convert';

/** Serves textDocument/hover: the findings of the statement under the cursor, then how the runner executes it. */
export function registerHover(connection: Connection, scheduler: AnalysisScheduler): void {
  connection.onHover(async (params: HoverParams): Promise<Hover | null> => {
    const state = await scheduler.current(params.textDocument.uri);
    if (!state) return null;
    const { analysis, lines } = state;
    const offset = lines.offsetAt(params.position);
    const explained = findingsAt(analysis, offset);
    const statement = statementAt(analysis, offset);
    const execution =
      statement && analysis.migration ? executionMarkdown(analysis.migration, statement, analysis.statements, lines) : undefined;
    if (explained.length === 0 && !execution) return null;
    return {
      contents: { kind: 'markdown', value: [...explained.map(hoverMarkdown), ...(execution ? [execution] : [])].join('\n\n---\n\n') },
    };
  });
}
