import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { FixVerifier, LineIndex, type Analysis, type FileSettings, type Linter } from '../engine';
import { toDiagnostic } from './convert';
import { withFolderReadOnce } from './folder-reads';
import type { StagingResults } from './staging-results';
import type { Workspace } from './workspace';

/**
 * Larger documents are not analysed as you type (a migration is rarely over a few hundred KB; a data
 * dump is not a migration): `lockguard lint` still checks them.
 */
const MAX_ANALYSED_LENGTH = 2 * 1024 * 1024;

/** One version of an open document as the engine saw it, with its findings translated for the editor. */
export interface DocumentAnalysis {
  version: number;
  lines: LineIndex;
  analysis: Analysis;
  diagnostics: Diagnostic[];
  /** Tries the findings' fixes when a code action asks for them (absent when nothing was analysed). */
  fixes?: FixVerifier;
}

/** Runs the engine on a document's text and turns its findings into diagnostics; never throws. */
export class DocumentAnalyser {
  constructor(
    private readonly workspace: Workspace,
    private readonly stagingResults: StagingResults,
    private readonly logError: (message: string) => void,
  ) {}

  /** `previous` is the last analysis of the document: only what the edit changed is analysed again. */
  analyse(linter: Linter, document: TextDocument, fileSettings: FileSettings, previous: Analysis | undefined): DocumentAnalysis {
    const text = document.getText();
    const lines = new LineIndex(text);
    if (text.length > MAX_ANALYSED_LENGTH) return tooLargeToAnalyse(document, lines);
    try {
      const { filePath } = fileSettings.options;
      const options = {
        ...withFolderReadOnce(fileSettings.options),
        priorSchema: filePath === undefined ? undefined : this.workspace.priorSchemaBefore(filePath),
      };
      const analysis = linter.lintIncrementally(text, options, previous);
      const diagnostics = analysis.findings.map((finding) =>
        this.stagingResults.enrich(document.uri, finding, analysis.statements, toDiagnostic(finding, lines, document.uri)),
      );
      return { version: document.version, lines, analysis, diagnostics, fixes: new FixVerifier(linter, text, options, analysis) };
    } catch (error) {
      // Never crash the server on one file: say what happened where the user looks.
      this.logError(`Lockguard could not analyse ${document.uri}: ${error instanceof Error ? error.stack : String(error)}`);
      const failure: Diagnostic = {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 2,
        source: 'lockguard',
        message: 'Lockguard could not analyse this file because of an internal error (details in the Lockguard output). Please report it.',
      };
      return { version: document.version, lines, analysis: { statements: [], migration: undefined, findings: [] }, diagnostics: [failure] };
    }
  }
}

function tooLargeToAnalyse(document: TextDocument, lines: LineIndex): DocumentAnalysis {
  const notice: Diagnostic = {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: 3,
    source: 'lockguard',
    message: `This file is ${(document.getText().length / 1024 / 1024).toFixed(1)} MB: Lockguard checks files up to ${MAX_ANALYSED_LENGTH / 1024 / 1024} MB as you type. Run \`lockguard lint\` on it to check it.`,
  };
  return { version: document.version, lines, analysis: { statements: [], migration: undefined, findings: [] }, diagnostics: [notice] };
}
