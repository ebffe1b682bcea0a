import { attachPartitionWithoutCheck } from '../attach-partition-without-check';
import { createTrigger } from '../create-trigger';
import { detachPartitionWithoutConcurrently } from '../detach-partition-without-concurrently';
import { dropColumn } from '../drop-column';
import { dropConstraint } from '../drop-constraint';
import { dropDatabase } from '../drop-database';
import { dropSchema } from '../drop-schema';
import { dropTable } from '../drop-table';
import { dropTrigger } from '../drop-trigger';
import { enableDisableTrigger } from '../enable-disable-trigger';
import { enumValueUsedInSameTransaction } from '../enum-value-used-in-same-transaction';
import { renameColumn } from '../rename-column';
import { renameSchema } from '../rename-schema';
import { renameTable } from '../rename-table';
import type { Rule } from '../rule';

/** Operational and breaking-change rules (triggers, enums, partitions, drops, renames). */
export const OPERATION_RULES: readonly Rule[] = [
  createTrigger,
  enableDisableTrigger,
  dropTrigger,
  enumValueUsedInSameTransaction,
  attachPartitionWithoutCheck,
  detachPartitionWithoutConcurrently,
  dropTable,
  dropColumn,
  dropSchema,
  dropDatabase,
  dropConstraint,
  renameTable,
  renameColumn,
  renameSchema,
];
