import type { Rule } from '../rule';

/** Operational and breaking-change rules (triggers, enums, partitions, drops, renames). */
export const OPERATION_RULES: readonly Rule[] = [];
