import type { Connection } from 'vscode-languageserver';
import type { DocumentAnalysis } from './document-analysis';
import { analysisStateNotification } from './protocol';

/**
 * Pushes what the editor shows for a document: its diagnostics, and the analysis state with its counts
 * (the VS Code client's status bar item). Only push: the server announces no pull diagnostics.
 */
export class DiagnosticsPublisher {
  constructor(private readonly connection: Connection) {}

  analysing(uri: string): void {
    void this.connection.sendNotification(analysisStateNotification, { uri, state: 'analysing', errors: 0, warnings: 0, infos: 0 });
  }

  /** The diagnostics of this version; none when the document was not analysed (Lockguard disabled, or the file excluded). */
  analysed(uri: string, version: number, result: DocumentAnalysis | undefined): void {
    void this.connection.sendDiagnostics({ uri, version, diagnostics: result?.diagnostics ?? [] });
    const count = (severity: string) => result?.analysis.findings.filter((finding) => finding.severity === severity).length ?? 0;
    void this.connection.sendNotification(analysisStateNotification, {
      uri,
      state: 'done',
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
    });
  }

  /** A closed document keeps no diagnostics in the editor's problem list. */
  closed(uri: string): void {
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}
