import * as vscode from 'vscode';
import type { DatabaseUrl } from './connection-url';
import type { PasswordSource } from './password-retry';

/**
 * Database passwords in VS Code's SecretStorage (the OS keychain), one per server, database and user.
 * They never go to settings, logs or reports; they travel to the language server once per check.
 */
export class PasswordStore implements PasswordSource {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(database: DatabaseUrl): Promise<string | undefined> {
    return (await this.secrets.get(database.secretKey)) || undefined;
  }

  store(database: DatabaseUrl, password: string): Thenable<void> {
    return this.secrets.store(database.secretKey, password);
  }

  forget(database: DatabaseUrl): Thenable<void> {
    return this.secrets.delete(database.secretKey);
  }

  /** Asks for the password; undefined when the user dismisses the prompt. */
  async ask(database: DatabaseUrl, reason: string): Promise<string | undefined> {
    const password = await vscode.window.showInputBox({
      title: `Lockguard: password for ${database.label}`,
      prompt: `${reason} It is kept in VS Code's secret storage ("Lockguard: Forget staging password" removes it).`,
      password: true,
      ignoreFocusOut: true,
    });
    if (!password) return undefined;
    await this.store(database, password);
    return password;
  }
}
