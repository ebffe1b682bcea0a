import { COLUMN_RULES } from './catalogue/columns';
import { CONSTRAINT_RULES } from './catalogue/constraints';
import { HYGIENE_RULES } from './catalogue/hygiene';
import { INDEX_RULES } from './catalogue/indexes';
import { OPERATION_RULES } from './catalogue/operations';
import { concurrentlyInTransaction } from './concurrently-in-transaction';
import { createIndexWithoutConcurrently } from './create-index-without-concurrently';
import { lockHeldAcrossSlowStatement } from './lock-held-across-slow-statement';
import type { Rule } from './rule';
import { suppressionWithoutReason } from './suppression-without-reason';
import { syntaxError } from './syntax-error';
import { unusedSuppression } from './unused-suppression';

/**
 * Every rule Lockguard runs, in the order their findings are listed for the same position. The catalogue
 * files group rules by the statements they read, to keep the lists short; what a rule is about (locks,
 * style, …) is its `category` field, not the file that lists it.
 */
export const ALL_RULES: readonly Rule[] = [
  syntaxError,
  createIndexWithoutConcurrently,
  concurrentlyInTransaction,
  lockHeldAcrossSlowStatement,
  ...INDEX_RULES,
  ...CONSTRAINT_RULES,
  ...COLUMN_RULES,
  ...OPERATION_RULES,
  ...HYGIENE_RULES,
  suppressionWithoutReason,
  unusedSuppression,
];

export const ruleById = (id: string): Rule | undefined => ALL_RULES.find((rule) => rule.id === id);
