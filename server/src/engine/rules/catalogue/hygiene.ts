import type { Rule } from '../rule';

/** Migration hygiene: backfills, lock and statement timeouts, idempotency (IF [NOT] EXISTS) and type advice. */
export const HYGIENE_RULES: readonly Rule[] = [];
