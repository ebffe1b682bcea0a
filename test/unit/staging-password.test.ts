import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, type DatabaseUrl } from '../../client/src/staging/connection-url';
import { withStoredPassword, type PasswordSource } from '../../client/src/staging/password-retry';
import type { CheckMigrationResult } from '../../shared/protocol';
import { stagingReport } from './staging-report-fixture';

// The password flow of the VS Code command: stored password first, ask once on 28P01, forget wrong ones.

const parsed = parseDatabaseUrl('lockguard.staging.url', 'postgres://app@staging:5432/shop');
const staging = (parsed.ok ? parsed.value : undefined) as DatabaseUrl;
const REPORT: CheckMigrationResult = { kind: 'report', report: stagingReport(), checklist: '', page: { title: '', html: '' } };
const problem = (reason: 'wrong-password' | 'no-password' | 'refused'): CheckMigrationResult => ({ kind: 'problem', problem: { kind: 'connection', reason, message: reason } });

/** A keychain and a user who answers prompts with `answers`, in order, recording what happened. */
function keychain(stored: string | undefined, answers: (string | undefined)[]) {
  const events: string[] = [];
  let value = stored;
  const source: PasswordSource = {
    get: async () => value,
    forget: async () => {
      events.push('forget');
      value = undefined;
    },
    ask: async (_database, reason) => {
      const answer = answers.shift();
      events.push(`ask: ${reason}`);
      value = answer;
      return answer;
    },
  };
  return { source, events, stored: () => value };
}

/** The server: accepts `correct`, or anything when the database needs no password. */
function server(correct: string | undefined) {
  const sent: (string | undefined)[] = [];
  const send = async (password: string | undefined) => {
    sent.push(password);
    if (correct === undefined || password === correct) return REPORT;
    return problem(password === undefined ? 'no-password' : 'wrong-password');
  };
  return { send, sent };
}

describe('staging password', () => {
  it('uses the stored password without asking', async () => {
    const keys = keychain('right', []);
    const db = server('right');
    expect(await withStoredPassword(staging, keys.source, db.send, true)).toBe(REPORT);
    expect(db.sent).toEqual(['right']);
    expect(keys.events).toEqual([]);
  });

  it('tries without one first (PGPASSWORD, ~/.pgpass, trust), asking only when the server wants one', async () => {
    const keys = keychain(undefined, ['right']);
    const db = server('right');
    expect(await withStoredPassword(staging, keys.source, db.send, true)).toBe(REPORT);
    expect(db.sent).toEqual([undefined, 'right']);
    expect(keys.events).toEqual(['forget', 'ask: The staging database asks for a password.']);
    expect(keys.stored()).toBe('right');
    expect(await withStoredPassword(staging, keys.source, server(undefined).send, true)).toBe(REPORT);
  });

  it('forgets a wrong stored password (28P01) and asks again once; a second wrong one is forgotten too', async () => {
    const keys = keychain('old', ['typo']);
    const db = server('right');
    expect(await withStoredPassword(staging, keys.source, db.send, true)).toEqual(problem('wrong-password'));
    expect(db.sent).toEqual(['old', 'typo']);
    expect(keys.events).toEqual(['forget', 'ask: The password was wrong (SQLSTATE 28P01); enter it again.', 'forget']);
    expect(keys.stored()).toBeUndefined();
  });

  it('returns the first answer when the user dismisses the prompt, and never asks when not interactive or for other problems', async () => {
    const dismissed = keychain('old', [undefined]);
    expect(await withStoredPassword(staging, dismissed.source, server('right').send, true)).toEqual(problem('wrong-password'));
    const silent = keychain('old', ['right']);
    expect(await withStoredPassword(staging, silent.source, server('right').send, false)).toEqual(problem('wrong-password'));
    expect(silent.events).toEqual([]);
    const refused = keychain(undefined, ['right']);
    expect(await withStoredPassword(staging, refused.source, async () => problem('refused'), true)).toEqual(problem('refused'));
    expect(refused.events).toEqual([]);
  });
});
