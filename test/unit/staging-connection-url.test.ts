import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, redactPasswords } from '../../client/src/staging/connection-url';

// lockguard.staging.url / lockguard.production.url as the VS Code client reads them.

const parse = (url: string) => parseDatabaseUrl('lockguard.staging.url', url);

describe('database URL settings', () => {
  it('keys the stored password by host, port, database and user, with libpq defaults', () => {
    const full = parse('postgres://app@staging.internal:6543/shop?sslmode=require');
    expect(full).toEqual({
      ok: true,
      value: { url: 'postgres://app@staging.internal:6543/shop?sslmode=require', secretKey: 'lockguard.password:["staging.internal","6543","shop","app"]', label: 'app@staging.internal:6543/shop', hadPassword: false },
    });
    // Port 5432 and database = user when omitted, as libpq does: the same server gets the same key.
    const short = parse('postgresql://app@staging.internal');
    expect(short.ok && short.value.secretKey).toBe('lockguard.password:["staging.internal","5432","app","app"]');
    expect(short.ok && short.value.label).toBe('app@staging.internal:5432/app');
    // Different users of one database keep different passwords.
    const other = parse('postgres://other@staging.internal:6543/shop');
    expect(other.ok && other.value.secretKey).not.toBe(full.ok && full.value.secretKey);
  });

  it('strips a password from the URL and says so, in the user info or the query', () => {
    for (const url of ['postgres://app:s3cret@db:5432/shop', 'postgres://app@db:5432/shop?password=s3cret&sslmode=verify-full']) {
      const parsed = parse(url);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.value.hadPassword).toBe(true);
      expect(JSON.stringify(parsed.value)).not.toContain('s3cret');
      expect(parsed.value.secretKey).toBe('lockguard.password:["db","5432","shop","app"]');
    }
    const inQuery = parse('postgres://app@db:5432/shop?password=s3cret&sslmode=verify-full');
    expect(inQuery.ok && inQuery.value.url).toBe('postgres://app@db:5432/shop?sslmode=verify-full');
  });

  it('explains what is wrong with a URL it cannot use', () => {
    expect(parse('staging.internal:5432')).toEqual({ ok: false, problem: 'lockguard.staging.url must start with postgres:// or postgresql:// (it starts with staging.internal://).' });
    expect(parse('not a url')).toEqual({ ok: false, problem: 'lockguard.staging.url is not a URL. Write it as postgres://user@host:5432/database (without the password).' });
    expect(parse('mysql://app@db/shop')).toMatchObject({ ok: false, problem: expect.stringContaining('must start with postgres://') });
  });

  it('reads host, user and database given as query parameters or a socket directory', () => {
    const socket = parse('postgres:///shop?host=/var/run/postgresql&user=app');
    expect(socket.ok && socket.value.secretKey).toBe('lockguard.password:["/var/run/postgresql","5432","shop","app"]');
  });
});

describe('LSP traces', () => {
  it('never show the password the staging check sends', () => {
    const traced = `Sending request 'lockguard/checkMigration - (7)'.\nParams: ${JSON.stringify({ staging: { url: 'postgres://app@db/shop', password: 'p"a\\ss:w0rd' }, production: { kind: 'connection', url: 'postgres://app@prod/shop', password: 'prod-secret' } }, null, 4)}`;
    const redacted = redactPasswords(traced);
    expect(redacted).not.toMatch(/p\\"a|w0rd|prod-secret/);
    expect(redacted).toContain('"password": "***"');
    expect(redacted).toContain('"url": "postgres://app@db/shop"');
  });
});
