import { alterDomainAddConstraint } from '../alter-domain-add-constraint';
import { attachPartitionWithoutCheck } from '../attach-partition-without-check';
import { createTrigger } from '../create-trigger';
import { detachPartitionWithoutConcurrently } from '../detach-partition-without-concurrently';
import { disableAutovacuum } from '../disable-autovacuum';
import { dropColumn } from '../drop-column';
import { dropConstraint } from '../drop-constraint';
import { dropDatabase } from '../drop-database';
import { dropSchema } from '../drop-schema';
import { dropTable } from '../drop-table';
import { dropTrigger } from '../drop-trigger';
import { dropView } from '../drop-view';
import { enableDisableTrigger } from '../enable-disable-trigger';
import { enumValueUsedInSameTransaction } from '../enum-value-used-in-same-transaction';
import { renameColumn } from '../rename-column';
import { renameEnumValue } from '../rename-enum-value';
import { renameSchema } from '../rename-schema';
import { replicaIdentityNothing } from '../replica-identity-nothing';
import { renameTable } from '../rename-table';
import { renameView } from '../rename-view';
import type { Rule } from '../rule';
import { unsupportedOnTargetVersion } from '../unsupported-on-target-version';

/** Operational and breaking-change rules (triggers, enums, partitions, drops, renames). */
export const OPERATION_RULES: readonly Rule[] = [
  createTrigger,
  enableDisableTrigger,
  dropTrigger,
  enumValueUsedInSameTransaction,
  attachPartitionWithoutCheck,
  detachPartitionWithoutConcurrently,
  dropTable,
  dropView,
  renameView,
  unsupportedOnTargetVersion,
  dropColumn,
  dropSchema,
  dropDatabase,
  dropConstraint,
  renameTable,
  renameColumn,
  renameSchema,
  renameEnumValue,
  alterDomainAddConstraint,
  disableAutovacuum,
  replicaIdentityNothing,
];
