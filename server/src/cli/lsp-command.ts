import { ProposedFeatures, StreamMessageReader, StreamMessageWriter, createConnection } from 'vscode-languageserver/node';
import { startLanguageServer } from '../lsp/server';

/** `lockguard lsp --stdio`: the same server the VS Code extension runs, for Neovim, Helix, Zed and others. */
export function runLanguageServer(): void {
  startLanguageServer(createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout)));
}
