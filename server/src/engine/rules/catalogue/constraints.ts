import type { Rule } from '../rule';

/** Constraint rules (foreign keys, CHECK, UNIQUE, PRIMARY KEY, EXCLUDE, NOT NULL). */
export const CONSTRAINT_RULES: readonly Rule[] = [];
