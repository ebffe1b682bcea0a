// The report page's stylesheet: VS Code theme colours only (CSS variables), so it reads in every theme.
// Lock modes go from calm (ACCESS SHARE, mode-0) to alarming (ACCESS EXCLUSIVE, mode-7).
export const REPORT_CSS = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 20px 20px; line-height: 1.45; }
h1 { font-size: 1.4em; font-weight: 600; }
h2 { font-size: 1.15em; font-weight: 600; margin-top: 1.6em; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-editorWidget-border)); padding-bottom: 4px; }
code, pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
/* Neutral, not the webview default's accent colour: SQL and URLs here are data, not warnings. */
code { color: inherit; background: var(--vscode-textCodeBlock-background); padding: 0 3px; border-radius: 3px; }
.scroll { overflow-x: auto; }
.note { color: var(--vscode-descriptionForeground); }
.error { color: var(--vscode-errorForeground); }
.verdict { padding: 6px 10px; border-left: 4px solid; background: var(--vscode-textBlockQuote-background); }
.verdict.bad { border-color: var(--vscode-editorError-foreground); }
.verdict.warn { border-color: var(--vscode-editorWarning-foreground); }
.verdict.good { border-color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
table.statements { border-collapse: collapse; width: 100%; }
table.statements th, table.statements td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); }
table.statements th { color: var(--vscode-descriptionForeground); font-weight: 600; }
tr.status-not-reached td { opacity: 0.6; }
tr.status-failed td { background: var(--vscode-inputValidation-errorBackground); }
.mode { font-weight: 600; white-space: nowrap; }
.mode.mode-0, .mode.mode-1 { color: var(--vscode-charts-green); }
.mode.mode-2, .mode.mode-3 { color: var(--vscode-charts-blue); }
.mode.mode-4, .mode.mode-5 { color: var(--vscode-charts-orange); }
.mode.mode-6, .mode.mode-7 { color: var(--vscode-charts-red); }
svg.timeline { display: block; }
svg.timeline text { fill: var(--vscode-foreground); font-size: 12px; font-family: var(--vscode-font-family); }
svg.timeline text.axis { fill: var(--vscode-descriptionForeground); }
.bar.mode-0, .swatch.mode-0 { fill: var(--vscode-charts-green); background: var(--vscode-charts-green); opacity: 0.55; }
.bar.mode-1, .swatch.mode-1 { fill: var(--vscode-charts-green); background: var(--vscode-charts-green); }
.bar.mode-2, .swatch.mode-2 { fill: var(--vscode-charts-blue); background: var(--vscode-charts-blue); opacity: 0.7; }
.bar.mode-3, .swatch.mode-3 { fill: var(--vscode-charts-blue); background: var(--vscode-charts-blue); }
.bar.mode-4, .swatch.mode-4 { fill: var(--vscode-charts-orange); background: var(--vscode-charts-orange); opacity: 0.75; }
.bar.mode-5, .swatch.mode-5 { fill: var(--vscode-charts-orange); background: var(--vscode-charts-orange); }
.bar.mode-6, .swatch.mode-6 { fill: var(--vscode-charts-red); background: var(--vscode-charts-red); opacity: 0.75; }
.bar.mode-7, .swatch.mode-7 { fill: var(--vscode-charts-red); background: var(--vscode-charts-red); }
.bar.known { stroke: var(--vscode-foreground); stroke-dasharray: 4 3; fill-opacity: 0.35; }
.swatch.known { border: 1px dashed var(--vscode-foreground); background: transparent; }
.legend-item { display: inline-flex; align-items: center; margin-right: 14px; }
.swatch { display: inline-block; width: 14px; height: 10px; margin-right: 5px; border-radius: 2px; }
/* Beside the migration (about 500 px): each statement is a card of labelled lines instead of eight squeezed columns. */
@media (max-width: 760px) {
  table.statements thead { display: none; }
  table.statements, table.statements tbody, table.statements tr, table.statements td { display: block; width: auto; }
  table.statements tr { border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border)); padding: 6px 0; }
  table.statements td { border: none; padding: 1px 0 1px 9.5em; position: relative; overflow-wrap: anywhere; }
  table.statements td.empty { display: none; }
  table.statements td::before { content: attr(data-label); position: absolute; left: 0; width: 9em; color: var(--vscode-descriptionForeground); font-weight: 600; }
  table.statements td:first-child { padding-left: 0; font-weight: 600; }
  table.statements td:first-child::before { content: '#'; position: static; margin-right: 4px; }
}
pre.checklist { background: var(--vscode-textCodeBlock-background); padding: 10px; overflow-x: auto; white-space: pre; }
ul.tables { padding-left: 1.2em; }
`;
