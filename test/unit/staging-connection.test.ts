import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeConnectionError } from '../../server/src/engine/staging/connection';
import { pgpassLookup, redactSecrets, redactUrl, resolveTarget, serviceSection, TargetError } from '../../server/src/engine/staging/connection-target';

const scratch = mkdtempSync(join(tmpdir(), 'lockguard-staging-conn-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('redaction', () => {
  it('removes the password from URLs, also in query parameters and inside longer messages', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/app')).toBe('postgres://app@db:5432/app');
    expect(redactUrl('postgresql://app:p%40ss@db/app?sslmode=require')).toBe('postgresql://app@db/app?sslmode=require');
    expect(redactUrl('postgres://db/app?user=app&password=s3cret&sslmode=require')).toBe('postgres://db/app?user=app&password=***&sslmode=require');
    expect(redactUrl('postgres://app@db/app')).toBe('postgres://app@db/app');
    expect(redactSecrets('connecting to postgres://app:hunter2@db/app failed for hunter2', ['hunter2'])).toBe('connecting to postgres://app@db/app failed for ***');
  });
});

describe('resolveTarget (libpq order: caller, URL, service file, PGPASSWORD, ~/.pgpass)', () => {
  const pgpass = join(scratch, 'pgpass');
  writeFileSync(pgpass, '# comment\ndb.example:5432:app:app:from\\:pgpass\n*:*:*:other:wild\n');
  chmodSync(pgpass, 0o600);
  const services = join(scratch, 'services.conf');
  writeFileSync(services, '[staging]\nhost=staging.example\nport=6543\ndbname=shop\nuser=svc\npassword=from-service\nsslmode=verify-full\n[other]\nhost=x\n');

  it('parses host, port, database, user and sslmode', () => {
    const target = resolveTarget('postgres://app@db.example:6000/app?sslmode=require', undefined, {});
    expect(target).toMatchObject({ host: 'db.example', port: 6000, database: 'app', user: 'app', sslMode: 'require', display: 'postgres://app@db.example:6000/app?sslmode=require' });
    expect(target.password).toBeUndefined();
  });

  it('refuses a URL that holds a password, without repeating it', () => {
    for (const url of ['postgres://app:pw-in-url@db.example:6000/app', 'postgres://app@db.example/app?password=pw-in-url']) {
      expect(() => resolveTarget(url, undefined, {})).toThrow(TargetError);
      expect(() => resolveTarget(url, undefined, {})).toThrow(/holds a password: .* PGPASSWORD, ~\/\.pgpass or a connection service file\.$/);
      expect(() => resolveTarget(url, undefined, {})).not.toThrow(/pw-in-url/);
    }
  });

  it('takes the password from the caller first, then PGPASSWORD, then ~/.pgpass', () => {
    const env = { PGPASSFILE: pgpass, PGPASSWORD: 'from-env' };
    expect(resolveTarget('postgres://app@db.example/app', 'from-caller', env).password).toEqual({ source: 'caller', value: 'from-caller' });
    expect(resolveTarget('postgres://app@db.example/app', undefined, env).password).toEqual({ source: 'PGPASSWORD', value: 'from-env' });
    expect(resolveTarget('postgres://app@db.example/app', undefined, { PGPASSFILE: pgpass }).password).toEqual({ source: '.pgpass', value: 'from:pgpass' });
    expect(resolveTarget('postgres://other@anywhere:1/x', undefined, { PGPASSFILE: pgpass }).password?.value).toBe('wild');
    expect(resolveTarget('postgres://nobody@db.example/app', undefined, { PGPASSFILE: pgpass }).password).toBeUndefined();
  });

  it('ignores a ~/.pgpass that others can read, as libpq does', () => {
    const open = join(scratch, 'pgpass-open');
    writeFileSync(open, '*:*:*:*:leaked\n');
    chmodSync(open, 0o644);
    expect(resolveTarget('postgres://app@db/app', undefined, { PGPASSFILE: open }).password).toBeUndefined();
  });

  it('fills what the URL leaves out from the service file (?service= or PGSERVICE)', () => {
    const target = resolveTarget('postgres:///?service=staging', undefined, { PGSERVICEFILE: services });
    expect(target).toMatchObject({ host: 'staging.example', port: 6543, database: 'shop', user: 'svc', sslMode: 'verify-full' });
    expect(target.password).toEqual({ source: 'service file', value: 'from-service' });
    expect(resolveTarget('postgres://me@elsewhere/db', undefined, { PGSERVICEFILE: services, PGSERVICE: 'staging' })).toMatchObject({ host: 'elsewhere', user: 'me', database: 'db', port: 6543 });
    expect(() => resolveTarget('postgres:///?service=missing', undefined, { PGSERVICEFILE: services })).toThrow(/service "missing" is not defined/);
    expect(serviceSection('[a]\nhost=1\n', 'b')).toBeUndefined();
  });

  it('rejects what is not a PostgreSQL URL, without echoing a password', () => {
    expect(() => resolveTarget('mysql://u:pw@h/db', undefined, {})).toThrow(TargetError);
    expect(() => resolveTarget('mysql://u:pw@h/db', undefined, {})).toThrow(/^"mysql:\/\/u@h\/db" is not a PostgreSQL URL/);
    expect(() => resolveTarget('postgres://h/db?sslmode=sometimes', undefined, {})).toThrow(/sslmode=sometimes is not one of/);
    expect(() => resolveTarget('not a url', undefined, {})).toThrow(/is not a database URL/);
  });

  it('pgpass lines match field by field, with * as a wildcard and \\: escapes', () => {
    const target = { host: 'h', port: 5432, database: 'd', user: 'u' };
    expect(pgpassLookup('h:5432:d:u:a\\:b', target)).toBe('a:b');
    expect(pgpassLookup('h:5433:d:u:x\n*:5432:*:u:y', target)).toBe('y');
    expect(pgpassLookup(undefined, target)).toBeUndefined();
  });
});

describe('connection error messages', () => {
  const target = resolveTarget('postgres://app@db.example:5432/shop', 'pw', {});
  const describeCode = (code: string, message = 'x') => describeConnectionError(Object.assign(new Error(message), { code }), target, 10_000);

  it('names the cause and what to do, never the password', () => {
    expect(describeCode('28P01')).toMatchObject({ reason: 'wrong-password', message: expect.stringContaining('rejected the password of user "app" (from caller)') });
    expect(describeCode('3D000')).toMatchObject({ reason: 'missing-database', message: expect.stringContaining('"shop" does not exist') });
    expect(describeCode('ENOTFOUND')).toMatchObject({ reason: 'unknown-host', message: expect.stringContaining('"db.example" is unknown') });
    expect(describeCode('ECONNREFUSED')).toMatchObject({ reason: 'refused', message: expect.stringContaining('db.example:5432') });
    expect(describeCode('EHOSTUNREACH')).toMatchObject({ reason: 'unreachable' });
    expect(describeConnectionError(new Error('Connection terminated due to connection timeout'), target, 2_500)).toMatchObject({ reason: 'timeout', message: expect.stringContaining('within 2.5 s') });
    for (const code of ['28P01', '3D000', 'ENOTFOUND', 'ECONNREFUSED']) expect(describeCode(code).message).not.toContain('pw@');
  });
});
