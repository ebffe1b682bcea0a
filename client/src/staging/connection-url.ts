// Reading `lockguard.staging.url` / `lockguard.production.url`: no vscode import, so it is unit-tested directly.

/** A database URL safe to keep in settings, logs and reports: never carries a password. */
export interface DatabaseUrl {
  /** The URL with any password removed. */
  url: string;
  /** Where a password for this URL is kept in SecretStorage: one per server, database and user. */
  secretKey: string;
  /** "user@host:port/database", for messages and the password prompt. */
  label: string;
  /** The setting held a password, which was ignored; the caller tells the user why. */
  hadPassword: boolean;
}

export type ParsedDatabaseUrl = { ok: true; value: DatabaseUrl } | { ok: false; problem: string };

const SCHEMES = new Set(['postgres:', 'postgresql:']);

/**
 * Parses a `postgres://` URL as libpq reads it (defaults: port 5432, database = user). A password in
 * it is stripped, never used: settings are plain-text files that end up in dotfile repositories and
 * screenshots, so the password belongs in SecretStorage, PGPASSWORD or ~/.pgpass.
 */
export function parseDatabaseUrl(setting: string, raw: string): ParsedDatabaseUrl {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, problem: `${setting} is not a URL. Write it as postgres://user@host:5432/database (without the password).` };
  }
  if (!SCHEMES.has(url.protocol)) {
    return { ok: false, problem: `${setting} must start with postgres:// or postgresql:// (it starts with ${url.protocol}//).` };
  }
  const hadPassword = url.password !== '' || /password=/i.test(url.search);
  url.password = '';
  url.searchParams.delete('password');
  const host = decodeURIComponent(url.hostname) || url.searchParams.get('host') || 'localhost';
  const port = url.port || url.searchParams.get('port') || '5432';
  const user = decodeURIComponent(url.username) || url.searchParams.get('user') || '';
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || url.searchParams.get('dbname') || user;
  const who = user || '(default user)';
  return {
    ok: true,
    value: {
      url: url.toString(),
      secretKey: `lockguard.password:${JSON.stringify([host, port, database, user])}`,
      label: `${who}@${host}:${port}/${database || '(default database)'}`,
      hadPassword,
    },
  };
}

/** Why a password in the setting was not used, and where it goes instead. */
export function passwordInUrlMessage(setting: string): string {
  return `${setting} contains a password. Lockguard ignored it: settings files are plain text and are often shared or committed. Remove it from the setting; Lockguard asks for the password once and keeps it in VS Code's secret storage (or uses PGPASSWORD / ~/.pgpass).`;
}

/** Traced LSP messages with the value of every `"password"` member replaced: the check's request carries one. */
export function redactPasswords(traced: string): string {
  return traced.replace(/("password"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"***"');
}
