import type { Rule } from '../rule';

/** Column and table-storage rules (ADD COLUMN, column types, SET LOGGED/UNLOGGED, tablespaces, access methods). */
export const COLUMN_RULES: readonly Rule[] = [];
