import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STATEMENT_TIMEOUT_MS } from '../../server/src/engine/staging/check';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../server/src/engine/staging/connection';

// package.json's contributions for "Check migration against staging" agree with the client and the engine.

const root = join(__dirname, '..', '..');
interface Setting {
  type: string;
  default: unknown;
  pattern?: string;
  enum?: string[];
}
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
  contributes: { commands: { command: string; title: string; category: string }[]; configuration: { properties: Record<string, Setting> } };
};
const settings = packageJson.contributes.configuration.properties;
const source = (file: string) => readFileSync(join(root, 'client', 'src', 'staging', file), 'utf8');

describe('staging check contributions', () => {
  it('contribute the commands the client registers, titled as the palette shows them', () => {
    const titles = Object.fromEntries(packageJson.contributes.commands.map((command) => [command.command, `${command.category}: ${command.title}`]));
    expect(titles['lockguard.checkMigration']).toBe('Lockguard: Check migration against staging');
    expect(titles['lockguard.forgetStagingPassword']).toBe('Lockguard: Forget staging password');
    expect(source('check-command.ts')).toContain("CHECK_MIGRATION_COMMAND = 'lockguard.checkMigration'");
    expect(source('register.ts')).toContain("FORGET_PASSWORD_COMMAND = 'lockguard.forgetStagingPassword'");
  });

  it('default the timeouts to what the engine uses without them', () => {
    expect(settings['lockguard.staging.lockTimeout']!.default).toBe(DEFAULT_LOCK_TIMEOUT_MS);
    expect(settings['lockguard.staging.statementTimeout']!.default).toBe(DEFAULT_STATEMENT_TIMEOUT_MS);
    expect(settings['lockguard.staging.connectTimeout']!.default).toBe(DEFAULT_CONNECT_TIMEOUT_MS);
    expect(settings['lockguard.staging.sslmode']!.enum).toEqual(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']);
  });

  it('flag a password in a URL setting in the settings editor', () => {
    for (const name of ['lockguard.staging.url', 'lockguard.production.url']) {
      const pattern = new RegExp(settings[name]!.pattern!, 'u');
      expect(['', 'postgres://app@staging:5432/shop?sslmode=require', 'postgresql:///shop?host=/var/run/postgresql'].map((url) => pattern.test(url))).toEqual([true, true, true]);
      expect(['postgres://app:secret@staging/shop', 'postgres://app@staging/shop?password=secret', 'postgres://app@staging/shop?sslmode=require&password=secret'].map((url) => pattern.test(url))).toEqual([false, false, false]);
    }
  });

  it('ignore the database settings of an untrusted workspace', () => {
    const { supported, restrictedConfigurations } = packageJson.capabilities.untrustedWorkspaces;
    expect(supported).toBe('limited');
    expect(restrictedConfigurations).toEqual(expect.arrayContaining(['lockguard.staging.url', 'lockguard.production.url', 'lockguard.production.statsFile']));
    expect(source('check-command.ts')).toContain('vscode.workspace.isTrusted');
  });
});
