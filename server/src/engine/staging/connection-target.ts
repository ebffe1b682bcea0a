/**
 * A database URL turned into connection parameters the way libpq does it — URL, then the service
 * file (PGSERVICE / `?service=`), then PG* environment variables, then ~/.pgpass for the password —
 * and shown to the user without its password.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  sslMode: SslMode;
  sslRootCert: string | undefined;
  /** Where the password comes from; the password itself stays out of every message. */
  password: { value: string; source: 'caller' | 'url' | 'service file' | 'PGPASSWORD' | '.pgpass' } | undefined;
  /** The URL as shown to the user: no password. */
  display: string;
}

export class TargetError extends Error {}

type Env = Readonly<Record<string, string | undefined>>;

/** Resolves `url` (postgres://user@host:port/db?sslmode=…&service=…) with libpq's fallbacks. */
export function resolveTarget(url: string, callerPassword: string | undefined, env: Env = process.env): ConnectionTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TargetError(`"${redactUrl(url)}" is not a database URL. Write it as postgres://user@host:5432/database.`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new TargetError(`"${redactUrl(url)}" is not a PostgreSQL URL: it must start with postgres:// or postgresql://.`);
  }
  const query = parsed.searchParams;
  if (parsed.password || query.has('password')) {
    throw new TargetError(
      `"${redactUrl(url)}" holds a password: URLs end up in shell history, CI logs and settings files. Remove it from the URL and give the password with PGPASSWORD, ~/.pgpass or a connection service file.`,
    );
  }
  const service = readService(query.get('service') ?? env.PGSERVICE, env);
  const pick = (fromUrl: string | undefined | null, key: string, envName: string, fallback: string): string =>
    nonEmpty(fromUrl) ?? nonEmpty(service[key]) ?? nonEmpty(env[envName]) ?? fallback;

  const user = pick(decodeURIComponent(parsed.username), 'user', 'PGUSER', 'postgres');
  const host = pick(query.get('host') ?? decodeURIComponent(parsed.hostname.replace(/^\[|\]$/g, '')), 'host', 'PGHOST', 'localhost');
  const port = Number(pick(query.get('port') ?? parsed.port, 'port', 'PGPORT', '5432'));
  const database = pick(decodeURIComponent(parsed.pathname.slice(1)), 'dbname', 'PGDATABASE', user);
  const sslModeText = pick(query.get('sslmode'), 'sslmode', 'PGSSLMODE', 'prefer');
  if (!SSL_MODES.includes(sslModeText as SslMode)) throw new TargetError(`sslmode=${sslModeText} is not one of ${SSL_MODES.join(', ')}.`);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new TargetError(`The port in ${redactUrl(url)} is not a port number.`);

  const password = choosePassword(
    [
      ['caller', callerPassword],
      ['service file', service.password],
      ['PGPASSWORD', env.PGPASSWORD],
    ],
    () => readPgpass({ host, port, database, user }, env),
  );
  const display = redactUrl(url);
  return { host, port, database, user, sslMode: sslModeText as SslMode, sslRootCert: nonEmpty(query.get('sslrootcert')) ?? nonEmpty(service.sslrootcert), password, display };
}

function choosePassword(candidates: [NonNullable<ConnectionTarget['password']>['source'], string | undefined][], pgpass: () => string | undefined): ConnectionTarget['password'] {
  for (const [source, value] of candidates) if (value) return { source, value };
  const fromFile = pgpass();
  return fromFile === undefined ? undefined : { source: '.pgpass', value: fromFile };
}

const nonEmpty = (value: string | undefined | null) => (value ? value : undefined);

/** The URL without its password (also inside `password=` query parameters), for messages and reports. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/** Removes every secret from a message before it reaches a log, a report or the user. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) if (secret) result = result.split(secret).join('***');
  return result.replace(/postgres(?:ql)?:\/\/[^\s'"]+/gi, (match) => redactUrl(match));
}

/** A `[name]` section of the connection service file, as libpq reads it (PGSERVICEFILE, ~/.pg_service.conf, PGSYSCONFDIR). */
function readService(name: string | undefined | null, env: Env): Record<string, string> {
  if (!name) return {};
  const files = [env.PGSERVICEFILE ?? join(homedir(), '.pg_service.conf'), env.PGSYSCONFDIR ? join(env.PGSYSCONFDIR, 'pg_service.conf') : '/etc/postgresql-common/pg_service.conf'];
  for (const file of files) {
    const section = serviceSection(readIfExists(file), name);
    if (section) return section;
  }
  throw new TargetError(`The connection service "${name}" is not defined in ${files.join(' or ')}.`);
}

export function serviceSection(text: string | undefined, name: string): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let current: string | undefined;
  let found: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1];
      if (current === name) found = {};
      continue;
    }
    const eq = line.indexOf('=');
    if (current === name && found && eq > 0) found[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return found;
}

/** The password ~/.pgpass (or PGPASSFILE) gives this connection; libpq ignores the file when others can read it. */
function readPgpass(target: { host: string; port: number; database: string; user: string }, env: Env): string | undefined {
  const file = env.PGPASSFILE ?? join(homedir(), '.pgpass');
  try {
    if ((statSync(file).mode & 0o077) !== 0 && process.platform !== 'win32') return undefined;
  } catch {
    return undefined;
  }
  return pgpassLookup(readIfExists(file), target);
}

export function pgpassLookup(text: string | undefined, target: { host: string; port: number; database: string; user: string }): string | undefined {
  const host = target.host.startsWith('/') ? 'localhost' : target.host;
  const wanted = [host, String(target.port), target.database, target.user];
  for (const line of (text ?? '').split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = line.split(/(?<!\\):/).map((field) => field.replace(/\\([:\\])/g, '$1'));
    if (fields.length < 5) continue;
    const password = fields.slice(4).join(':');
    if (wanted.every((value, i) => fields[i] === '*' || fields[i] === value)) return password;
  }
  return undefined;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
