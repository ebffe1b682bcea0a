import type { Statement } from '../../model/statement';
import { PROBE_TABLE_SETUP } from '../probe-fixtures';
import type { RuleContext } from '../rule';
import { isLockTimeoutInForce } from './timeout-coverage';

/** The probe table and a trigger function for it. */
export const PROBE_TRIGGER_FUNCTION_SETUP: readonly string[] = [
  ...PROBE_TABLE_SETUP,
  'CREATE FUNCTION lock_probe_touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$',
];

/** The statement creating the probe trigger (EXECUTE PROCEDURE: accepted by every supported version). */
export const PROBE_CREATE_TRIGGER = 'CREATE TRIGGER lock_probe_trigger BEFORE UPDATE ON lock_probe FOR EACH ROW EXECUTE PROCEDURE lock_probe_touch()';

/** The probe table with the trigger `lock_probe_trigger` on it. */
export const PROBE_TRIGGER_SETUP: readonly string[] = [...PROBE_TRIGGER_FUNCTION_SETUP, PROBE_CREATE_TRIGGER];

/**
 * What SHARE ROW EXCLUSIVE (CREATE TRIGGER, ENABLE/DISABLE TRIGGER) makes others wait for before it is
 * granted: it conflicts with the writers' ROW EXCLUSIVE, not with the readers' ACCESS SHARE
 * (docs/postgres-locks.md).
 */
export const SHARE_ROW_EXCLUSIVE_QUEUE = 'while it waits for the writes already running on it, new writes queue behind it (plain reads go on)';

/** Advice shared by the trigger rules: the lock is brief once granted, so bound the wait for it. */
export const BOUND_THE_WAIT = 'Set a short lock_timeout before it (and retry on timeout), and commit right after it.';

/** BOUND_THE_WAIT, or only the commit advice when the file already set a lock_timeout before the statement. */
export function boundTheWait(statement: Statement, context: RuleContext): string {
  return isLockTimeoutInForce(statement, context) ? 'Commit right after it: the lock is held until then.' : BOUND_THE_WAIT;
}

/** For a DISABLE … ENABLE pair in one transaction: committing between them would let writes skip the trigger. */
export function keepTheWindowShort(statement: Statement, context: RuleContext): string {
  const short = 'Keep what runs before the ENABLE short, and commit right after it: writes wait until then.';
  return isLockTimeoutInForce(statement, context) ? short : `Set a short lock_timeout before it (and retry on timeout). ${short}`;
}
