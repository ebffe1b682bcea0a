import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { parseDatabaseUrl, passwordInUrlMessage, type DatabaseUrl } from './connection-url';
import type { CheckMigrationParams } from '../../../shared/protocol';

const STAGING_URL_SETTING = 'lockguard.staging.url';
const PRODUCTION_URL_SETTING = 'lockguard.production.url';

/** The `lockguard.staging.*` / `lockguard.production.*` settings, checked, for one check. */
export interface CheckSettings {
  /** Undefined: check on the embedded database. */
  staging: DatabaseUrl | undefined;
  production: { kind: 'connection'; url: DatabaseUrl } | { kind: 'stats-file'; path: string } | { kind: 'row-counts'; rows: Record<string, number> } | undefined;
  timeouts: Pick<CheckMigrationParams, 'lockTimeoutMs' | 'statementTimeoutMs' | 'connectTimeoutMs'>;
  /** Problems the user should hear about: a password in a URL (ignored), a malformed URL (the check stops). */
  warnings: string[];
  errors: string[];
}

/**
 * Reads the settings for the document at `scope`. `urlOverride` replaces `lockguard.staging.url`
 * (the command's `url` argument, e.g. from a test).
 */
export function readCheckSettings(scope: vscode.Uri | undefined, urlOverride: string | undefined): CheckSettings {
  const config = vscode.workspace.getConfiguration('lockguard', scope);
  const warnings: string[] = [];
  const errors: string[] = [];
  // Only a value the user set goes into the URL: the default (prefer) is libpq's and the engine's anyway.
  const sslmode = config.inspect<string>('staging.sslmode');
  const explicitSslMode = sslmode?.workspaceFolderValue ?? sslmode?.workspaceValue ?? sslmode?.globalValue;
  const readUrl = (setting: string, raw: string | undefined): DatabaseUrl | undefined => {
    if (!raw?.trim()) return undefined;
    const parsed = parseDatabaseUrl(setting, withSslMode(raw.trim(), explicitSslMode));
    if (!parsed.ok) {
      errors.push(parsed.problem);
      return undefined;
    }
    if (parsed.value.hadPassword) warnings.push(passwordInUrlMessage(setting));
    return parsed.value;
  };

  const staging = readUrl(urlOverride === undefined ? STAGING_URL_SETTING : 'The url argument', urlOverride ?? config.get<string>('staging.url'));
  const productionUrl = readUrl(PRODUCTION_URL_SETTING, config.get<string>('production.url'));
  const statsFile = config.get<string>('production.statsFile')?.trim();
  const rowCounts = validRowCounts(config.get<unknown>('production.rowCounts'));
  const production = productionUrl
    ? ({ kind: 'connection', url: productionUrl } as const)
    : statsFile
      ? ({ kind: 'stats-file', path: resolvePath(statsFile, scope) } as const)
      : rowCounts
        ? ({ kind: 'row-counts', rows: rowCounts } as const)
        : undefined;

  return {
    staging,
    production,
    timeouts: {
      lockTimeoutMs: positive(config.get('staging.lockTimeout')),
      statementTimeoutMs: positive(config.get('staging.statementTimeout')),
      connectTimeoutMs: positive(config.get('staging.connectTimeout')),
    },
    warnings,
    errors,
  };
}

/** `lockguard.staging.sslmode` goes into the URL's query, as libpq reads it; a `sslmode` already in the URL wins. */
function withSslMode(url: string, sslmode: string | undefined): string {
  if (!sslmode || /[?&]sslmode=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}sslmode=${encodeURIComponent(sslmode)}`;
}

function validRowCounts(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1]) && entry[1] >= 0);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** A relative stats file is relative to the workspace folder of the migration (settings are per folder). */
function resolvePath(path: string, scope: vscode.Uri | undefined): string {
  if (isAbsolute(path)) return path;
  const folder = (scope && vscode.workspace.getWorkspaceFolder(scope)) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? join(folder.uri.fsPath, path) : path;
}

const positive = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);
