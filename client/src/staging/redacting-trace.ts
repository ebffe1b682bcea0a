import type * as vscode from 'vscode';
import { redactPasswords } from './connection-url';

/**
 * The output channel for LSP traces (`lockguard.trace.server`: verbose logs every message's params),
 * with passwords redacted: the staging check's request carries the database password.
 */
export function withRedactedPasswords(channel: vscode.LogOutputChannel): vscode.LogOutputChannel {
  return new Proxy(channel, {
    get(target, property) {
      if (property === 'trace') return (message: string, ...args: unknown[]) => target.trace(redactPasswords(message), ...args);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
