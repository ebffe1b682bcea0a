import { addColumnConstrainedDomain } from '../add-column-constrained-domain';
import { addColumnNotNullWithoutDefault } from '../add-column-not-null-without-default';
import { addColumnSerialOrIdentity } from '../add-column-serial-or-identity';
import { addColumnStoredGenerated } from '../add-column-stored-generated';
import { addColumnVolatileDefault } from '../add-column-volatile-default';
import { alterColumnSetExpression } from '../alter-column-set-expression';
import { alterColumnType } from '../alter-column-type';
import { dropNotNull } from '../drop-not-null';
import type { Rule } from '../rule';
import { setAccessMethod } from '../set-access-method';
import { setLoggedUnlogged } from '../set-logged-unlogged';
import { setTablespace } from '../set-tablespace';

/** Column and table-storage rules (ADD COLUMN, column types, SET LOGGED/UNLOGGED, tablespaces, access methods). */
export const COLUMN_RULES: readonly Rule[] = [
  addColumnConstrainedDomain,
  addColumnNotNullWithoutDefault,
  addColumnVolatileDefault,
  addColumnStoredGenerated,
  addColumnSerialOrIdentity,
  alterColumnType,
  alterColumnSetExpression,
  setLoggedUnlogged,
  setTablespace,
  setAccessMethod,
  dropNotNull,
];
