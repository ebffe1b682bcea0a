import { avoidCharN } from '../avoid-char-n';
import { backfillInMigration } from '../backfill-in-migration';
import { concurrentIndexWithoutIfExists } from '../concurrent-index-without-if-exists';
import { identifierTooLong } from '../identifier-too-long';
import { lockTimeoutTooLong } from '../lock-timeout-too-long';
import { missingIfNotExists } from '../missing-if-not-exists';
import { missingLockTimeout } from '../missing-lock-timeout';
import { missingStatementTimeout } from '../missing-statement-timeout';
import { preferBigintOverInt } from '../prefer-bigint-over-int';
import { preferIdentityOverSerial } from '../prefer-identity-over-serial';
import { preferJsonb } from '../prefer-jsonb';
import { preferTextOverVarchar } from '../prefer-text-over-varchar';
import { preferTimestamptz } from '../prefer-timestamptz';
import type { Rule } from '../rule';
import { transactionNesting } from '../transaction-nesting';
import { uncommittedTransaction } from '../uncommitted-transaction';

/** Migration hygiene: backfills, lock and statement timeouts, idempotency (IF [NOT] EXISTS) and type advice. */
export const HYGIENE_RULES: readonly Rule[] = [
  backfillInMigration,
  missingLockTimeout,
  lockTimeoutTooLong,
  missingStatementTimeout,
  missingIfNotExists,
  concurrentIndexWithoutIfExists,
  preferTextOverVarchar,
  preferTimestamptz,
  preferBigintOverInt,
  preferIdentityOverSerial,
  avoidCharN,
  preferJsonb,
  transactionNesting,
  uncommittedTransaction,
  identifierTooLong,
];
