import { pathToFileURL } from 'node:url';
import type { Connection, Diagnostic } from 'vscode-languageserver';
import type { FileSettings } from '../engine';

/**
 * A broken lockguard.json is shown on the file itself, where the user can fix it; its settings are not
 * used meanwhile. Its diagnostics are cleared once a later read finds it fixed.
 */
export class ConfigProblemsPublisher {
  private readonly configsWithProblems = new Set<string>();

  constructor(private readonly connection: Connection) {}

  publish({ configPath, problems }: FileSettings): void {
    if (!configPath) return;
    const uri = pathToFileURL(configPath).href;
    if (problems.length === 0 && !this.configsWithProblems.delete(uri)) return;
    if (problems.length > 0) this.configsWithProblems.add(uri);
    const diagnostics: Diagnostic[] = problems.map((problem) => ({
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
      severity: 1,
      source: 'lockguard',
      message: `${problem}. Lockguard ignores this file until it is fixed.`,
    }));
    void this.connection.sendDiagnostics({ uri, diagnostics });
  }
}
