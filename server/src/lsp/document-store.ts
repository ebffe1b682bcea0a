import { TextDocuments, type Connection } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentAnalysis } from './document-analysis';

/**
 * The documents open in the editor, at the version the editor last sent, and the latest analysis of
 * each: the next analysis builds on it, and code actions and hovers read it while it is current.
 */
export class DocumentStore {
  readonly documents = new TextDocuments(TextDocument);
  private readonly analyses = new Map<string, DocumentAnalysis>();

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TextDocument[] {
    return this.documents.all();
  }

  /** The latest analysis, which may be of an older version than the document's (see its `version`). */
  latestAnalysis(uri: string): DocumentAnalysis | undefined {
    return this.analyses.get(uri);
  }

  /** Keeps the analysis, or forgets the document's (not analysed: disabled or excluded). */
  setAnalysis(uri: string, analysis: DocumentAnalysis | undefined): void {
    if (analysis) this.analyses.set(uri, analysis);
    else this.analyses.delete(uri);
  }

  /** Follows the editor's didOpen, didChange and didClose. */
  listen(connection: Connection): void {
    this.documents.listen(connection);
  }
}
