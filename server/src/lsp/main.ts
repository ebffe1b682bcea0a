import { ProposedFeatures, createConnection } from 'vscode-languageserver/node';
import { startLanguageServer } from './server';

// The transport (--stdio, --node-ipc, --socket=N) comes from the command line, as every LSP client passes it.
startLanguageServer(createConnection(ProposedFeatures.all));
