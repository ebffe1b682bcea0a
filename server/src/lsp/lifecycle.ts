import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { CONFIG_FILE_NAME } from '../engine';
import type { AnalysisScheduler } from './analysis-scheduler';
import { FIX_ALL_KIND } from './code-actions';
import { readSettings, type ServerSettings } from './settings';
import type { Workspace } from './workspace';

/** What the editor said it can do, in its initialize request. */
export interface ClientCapabilities {
  /** Answers workspace/configuration, so settings are pulled rather than read from notifications. */
  canPullConfiguration: boolean;
  /** Watches files for us when asked (dynamic registration of didChangeWatchedFiles). */
  canWatchFiles: boolean;
  /** Accepts WorkspaceEdits that create files (the fixes that write a new migration). */
  canCreateFiles: boolean;
}

/**
 * The session's handshake and what follows the workspace: initialize, the settings (pulled when the
 * editor can, else read from its notifications), and lockguard.json, migrations and plans changing on disk.
 */
export class Lifecycle {
  private capabilities: ClientCapabilities = { canPullConfiguration: false, canWatchFiles: false, canCreateFiles: false };

  constructor(
    private readonly connection: Connection,
    private readonly workspace: Workspace,
    private readonly scheduler: AnalysisScheduler,
  ) {}

  get client(): ClientCapabilities {
    return this.capabilities;
  }

  register(): void {
    this.connection.onInitialize((params) => this.initialize(params));
    this.connection.onInitialized(async () => {
      if (this.capabilities.canPullConfiguration) this.workspace.applySettings(await this.pullSettings());
      // Edits to lockguard.json must update open diagnostics, in every editor that can watch files for us.
      if (this.capabilities.canWatchFiles) {
        await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: '**/*.sql' }, { globPattern: '**/sqitch.plan' }],
        });
      }
    });
    this.connection.onDidChangeConfiguration(async (change) => {
      const pushed = (change.settings as { lockguard?: unknown } | null)?.lockguard;
      this.workspace.applySettings(
        this.capabilities.canPullConfiguration ? await this.pullSettings() : readSettings(pushed, this.workspace.settings),
      );
      this.scheduler.reanalyseAll();
    });
    this.connection.onDidChangeWatchedFiles(async () => {
      await this.workspace.filesChanged();
      this.scheduler.reanalyseAll();
    });
  }

  private initialize(params: InitializeParams): InitializeResult {
    const workspace = params.capabilities.workspace;
    const workspaceEdit = workspace?.workspaceEdit;
    this.capabilities = {
      canPullConfiguration: workspace?.configuration === true,
      canWatchFiles: workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      canCreateFiles: workspaceEdit?.documentChanges === true && (workspaceEdit.resourceOperations ?? []).includes('create'),
    };
    this.workspace.applySettings(readSettings(params.initializationOptions, this.workspace.settings));
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        hoverProvider: true,
      },
      serverInfo: { name: 'lockguard' },
    };
  }

  private async pullSettings(): Promise<ServerSettings> {
    try {
      return readSettings(await this.connection.workspace.getConfiguration('lockguard'), this.workspace.settings);
    } catch {
      return this.workspace.settings;
    }
  }
}
