import { checkWithoutNotValid } from '../check-without-not-valid';
import { exclusionConstraint } from '../exclusion-constraint';
import { foreignKeyWithoutIndex } from '../foreign-key-without-index';
import { foreignKeyWithoutNotValid } from '../foreign-key-without-not-valid';
import { primaryKeyUsingIndexOnNullable } from '../primary-key-using-index-on-nullable';
import type { Rule } from '../rule';
import { setNotNull } from '../set-not-null';
import { uniqueConstraintBuildsIndex } from '../unique-constraint-builds-index';
import { validateInSameTransaction } from '../validate-in-same-transaction';

/** Constraint rules (foreign keys, CHECK, UNIQUE, PRIMARY KEY, EXCLUDE, NOT NULL). */
export const CONSTRAINT_RULES: readonly Rule[] = [
  foreignKeyWithoutNotValid,
  checkWithoutNotValid,
  validateInSameTransaction,
  setNotNull,
  uniqueConstraintBuildsIndex,
  primaryKeyUsingIndexOnNullable,
  exclusionConstraint,
  foreignKeyWithoutIndex,
];
