/**
 * Opens `pg` connections to a resolved target, and turns connection failures into messages that say
 * what is wrong and what to do — never with the password or a URL holding it.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { ConnectionTarget } from './connection-target';
import type { CheckProblem } from './report';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** A connection problem, already worded for the user. */
export class ConnectionProblem extends Error {
  constructor(readonly problem: Extract<CheckProblem, { kind: 'connection' }>) {
    super(problem.message);
  }
}

export interface ConnectOptions {
  connectTimeoutMs?: number;
  /** Shown in pg_stat_activity, so a DBA sees who holds the locks. */
  applicationName: string;
  /** Every transaction of the session is read-only (production: catalog and statistics queries only). */
  readOnly?: boolean;
  /**
   * Called once the server accepted the credentials, while the backend is still starting up: from
   * then on more sessions can follow without risking a failed login each.
   */
  onAuthenticated?: () => void;
  /** Queries are sent without waiting for the answers to the ones before (pg's pipeline mode). */
  pipeline?: boolean;
}

export async function connect(target: ConnectionTarget, options: ConnectOptions): Promise<pg.Client> {
  // Loaded on first use: a check on the embedded database (and every `lockguard lint`) never pays for it.
  const { Client } = (await import('pg')).default;
  const client = new Client({
    host: target.host,
    port: target.port,
    database: target.database,
    user: target.user,
    // A function, so pg never falls back to its own (deprecated, noisy) .pgpass lookup.
    password: async () => target.password?.value ?? '',
    ssl: sslConfig(target),
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: options.applicationName,
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    pipeline: options.pipeline ?? false,
  });
  // A connection that dies later (server restart, network) must not crash the process: the query in flight rejects.
  client.on('error', () => {});
  const protocol = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
  const onAuthenticated = options.onAuthenticated;
  if (onAuthenticated) protocol.once('authenticationOk', () => onAuthenticated());
  const parameters = new Map<string, string>();
  protocol.on('parameterStatus', ({ parameterName, parameterValue }: { parameterName: string; parameterValue: string }) => parameters.set(parameterName, parameterValue));
  reportedParameters.set(client, parameters);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new ConnectionProblem(describeConnectionError(error, target, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS));
  }
  return client;
}

/** What the server reported of itself at connect (ParameterStatus): server_version, TimeZone, … */
const reportedParameters = new WeakMap<pg.Client, ReadonlyMap<string, string>>();

/** A parameter the server reported at connect (e.g. server_version), without a round trip. */
export const reportedParameter = (client: pg.Client, name: string): string | undefined => reportedParameters.get(client)?.get(name);

/** The server process of a connection: what pg_locks, pg_blocking_pids and pg_cancel_backend name. */
export const processId = (client: pg.Client) => (client as unknown as { processID: number }).processID;

function sslConfig(target: ConnectionTarget): pg.ClientConfig['ssl'] {
  const ca = target.sslRootCert ? readFileSync(target.sslRootCert, 'utf8') : undefined;
  switch (target.sslMode) {
    case 'disable':
    case 'allow':
    case 'prefer': // pg cannot fall back from TLS to plain text: prefer connects without TLS, as most servers on a private network expect.
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true, ca };
  }
}

/** The user-facing explanation of a failed connect. */
export function describeConnectionError(error: unknown, target: ConnectionTarget, timeoutMs: number): ConnectionProblem['problem'] {
  const where = `${target.display} (host ${target.host}, port ${target.port})`;
  const code = (error as { code?: string }).code;
  const text = error instanceof Error ? error.message : String(error);
  const problem = (reason: ConnectionProblem['problem']['reason'], message: string): ConnectionProblem['problem'] => ({ kind: 'connection', reason, message });
  // With no password, pg fails on the client side (SASL needs a string) instead of sending one.
  const asksPassword = code === '28P01' || code === '28000' || (target.password === undefined && /password/i.test(text));
  if (asksPassword) {
    if (target.password === undefined) {
      return problem('no-password', `${where} asks user "${target.user}" for a password and none was given. Set PGPASSWORD, add it to ~/.pgpass, use a service file, or enter it when asked; the URL itself must not contain it.`);
    }
    return problem('wrong-password', `${where} rejected the password of user "${target.user}" (from ${target.password.source}). Check the user name and the password.`);
  }
  if (code === '3D000') return problem('missing-database', `The database "${target.database}" does not exist on ${target.host}:${target.port}. Check the name in the URL (the part after the last /).`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return problem('unknown-host', `The host "${target.host}" is unknown: its name does not resolve. Check the spelling of the host in ${target.display}, or your VPN/DNS.`);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return problem('unreachable', `There is no route to ${target.host}:${target.port} (${code}): check the host, your network or VPN.`);
  if (code === 'ECONNREFUSED') return problem('refused', `Nothing accepts connections on ${target.host}:${target.port}: the server is down, listens on another port, or a firewall refuses it.`);
  if (/timeout/i.test(text) || code === 'ETIMEDOUT') {
    return problem('timeout', `No answer from ${target.host}:${target.port} within ${Math.round(timeoutMs / 100) / 10} s: the host is unreachable or a firewall drops the connection.`);
  }
  if (/ssl|tls|certificate/i.test(text) || code?.startsWith('ERR_TLS') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN') {
    return problem('tls', `The TLS connection to ${target.host}:${target.port} failed (${text}). Check sslmode (${target.sslMode}) and sslrootcert.`);
  }
  return problem('other', `Could not connect to ${where}: ${text}`);
}
