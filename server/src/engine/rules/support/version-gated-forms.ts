import type { Constraint, CreateStmt, Node } from '@pgsql/types';
import { relationFromRangeVar, type RelationName } from '../../model/relations';
import { nodeAs, type ParsedStatement } from '../../model/statement';
import type { OffsetRange } from '../../text/positions';
import { PROBE_TABLE_SETUP } from '../probe-fixtures';
import type { FailureFact, RuleContext } from '../rule';
import { constraintsOf } from './constraints';
import { givesPartitionInFile, isPartitionedInFile, latestCreateInFile } from './partitioned-tables';
import { PROBE_PARTITIONED_SETUP } from './partitions';

/**
 * A statement form PostgreSQL rejects on some versions (or on all): the failure fact, verified on real
 * servers by test/postgres/lock-facts.test.ts (it fails with `fact.sqlstate` where `fact.versions` say,
 * and succeeds where `fact.accepted` says), and where a statement uses the form.
 */
export interface VersionGatedForm {
  /** The form as a user would name it, e.g. `DETACH PARTITION … CONCURRENTLY`. */
  name: string;
  /** The first release that accepts it; undefined when no release does. */
  acceptedFrom: number | undefined;
  fact: FailureFact;
  /** What to write instead on a release that rejects it. */
  instead: string;
  /**
   * A function PostgreSQL ships from `acceptedFrom` on, which an extension or the project itself may
   * already define under the same name on older releases: reported as a warning, not an error.
   */
  mayBeUserDefined?: boolean;
  /** Where the statement uses the form; empty when it does not. */
  find(statement: ParsedStatement, context: RuleContext): OffsetRange[];
}

const DOCS = 'https://www.postgresql.org/docs';
const RELEASE_NOTES = (version: number) => `${DOCS}/release/${version}.0/`;

/** A form rejected by the grammar of the releases before `acceptedFrom`: `syntax error at or near "<word>"`. */
function syntaxForm(
  name: string,
  acceptedFrom: number,
  firstRejecting: number,
  word: string,
  probe: FailureFact['probe'],
  source: string,
  instead: string,
  find: VersionGatedForm['find'],
): VersionGatedForm {
  return {
    name,
    acceptedFrom,
    instead,
    find,
    fact: {
      kind: 'failure',
      statement: `${name} (before PostgreSQL ${acceptedFrom})`,
      sqlstate: '42601',
      message: `syntax error at or near "${word}"`,
      versions: { from: firstRejecting, until: acceptedFrom - 1 },
      accepted: { from: acceptedFrom },
      source,
      probe,
    },
  };
}

/** Every form Lockguard knows, newest release first within each group. */
export const VERSION_GATED_FORMS: readonly VersionGatedForm[] = [
  // Partitions and their constraints.
  syntaxForm(
    'DETACH PARTITION … CONCURRENTLY',
    14,
    10,
    'CONCURRENTLY',
    { setup: PROBE_PARTITIONED_SETUP, statement: 'ALTER TABLE lock_probe_parent DETACH PARTITION lock_probe_old CONCURRENTLY' },
    `${DOCS}/14/sql-altertable.html#SQL-ALTERTABLE-DETACH-PARTITION`,
    'Plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the parent: run it at a quiet time with a short lock_timeout.',
    (statement) => alterCommands(statement, 'AT_DetachPartition').flatMap((cmd) => (cmd.def && 'PartitionCmd' in cmd.def && cmd.def.PartitionCmd.concurrent ? keywordRanges(statement, ['CONCURRENTLY']) : [])),
  ),
  {
    name: 'an exclusion constraint on a partitioned table',
    acceptedFrom: 17,
    instead: 'Add the exclusion constraint to each partition instead (it then holds within each partition only).',
    fact: {
      kind: 'failure',
      statement: 'ALTER TABLE partitioned_table ADD EXCLUDE … (before PostgreSQL 17)',
      sqlstate: '0A000',
      message: 'exclusion constraints are not supported on partitioned tables',
      versions: { from: 11, until: 16 },
      accepted: { from: 17 },
      source: `${DOCS}/17/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-LIMITATIONS`,
      probe: { setup: PROBE_PARTITIONED_SETUP, statement: 'ALTER TABLE lock_probe_parent ADD CONSTRAINT lock_probe_parent_id_excl EXCLUDE USING btree (id WITH =)' },
    },
    find: (statement, context) => constraintsOnPartitioned(statement, context, ({ constraint }) => constraint.contype === 'CONSTR_EXCLUSION').map(({ range }) => range),
  },
  {
    name: 'an identity column added to a partitioned table that has partitions',
    acceptedFrom: 17,
    instead: 'Add a plain column with a sequence default (DEFAULT nextval(…)), or declare the identity column when the partitioned table is created.',
    fact: {
      kind: 'failure',
      statement: 'ALTER TABLE partitioned_table ADD COLUMN … GENERATED … AS IDENTITY, with partitions (before PostgreSQL 17)',
      sqlstate: '42P16',
      message: 'cannot recursively add identity column to table that has child tables',
      versions: { from: 10, until: 16 },
      accepted: { from: 17 },
      source: RELEASE_NOTES(17),
      probe: { setup: PROBE_PARTITIONED_SETUP, statement: 'ALTER TABLE lock_probe_parent ADD COLUMN seq int GENERATED ALWAYS AS IDENTITY' },
    },
    find: (statement, context) =>
      constraintsOnPartitioned(statement, context, ({ constraint, inColumn }) => inColumn && constraint.contype === 'CONSTR_IDENTITY' && nodeAs(statement, 'AlterTableStmt') !== undefined)
        .filter(() => hasPartitions(statement, context))
        .map(({ range }) => range),
  },
  {
    name: 'a NOT VALID foreign key on a partitioned table',
    acceptedFrom: 18,
    instead:
      'Add the foreign key NOT VALID to each partition, VALIDATE each one, then add it to the parent (PostgreSQL uses the partitions\' validated keys); or add it valid at a quiet time.',
    fact: {
      kind: 'failure',
      statement: 'ALTER TABLE partitioned_table ADD FOREIGN KEY … NOT VALID (before PostgreSQL 18)',
      sqlstate: '42809',
      message: 'cannot add NOT VALID foreign key on partitioned table "lock_probe_parent" referencing relation "lock_probe"',
      versions: { from: 11, until: 17 },
      accepted: { from: 18 },
      source: RELEASE_NOTES(18),
      probe: {
        setup: [...PROBE_TABLE_SETUP, ...PROBE_PARTITIONED_SETUP],
        statement: 'ALTER TABLE lock_probe_parent ADD CONSTRAINT lock_probe_parent_customer_fk FOREIGN KEY (customer_id) REFERENCES lock_probe (id) NOT VALID',
      },
    },
    find: (statement, context) =>
      constraintsOnPartitioned(statement, context, ({ constraint, inColumn }) => !inColumn && constraint.contype === 'CONSTR_FOREIGN' && constraint.skip_validation === true && constraint.is_enforced === true).map(
        ({ range }) => range,
      ),
  },
  {
    name: 'ALTER TABLE ONLY … ADD FOREIGN KEY on a partitioned table',
    acceptedFrom: undefined,
    instead: 'Drop ONLY: a foreign key on a partitioned table always applies to all its partitions.',
    fact: {
      kind: 'failure',
      statement: 'ALTER TABLE ONLY partitioned_table ADD FOREIGN KEY …',
      sqlstate: '42809',
      message: 'cannot use ONLY for foreign key on partitioned table "lock_probe_parent" referencing relation "lock_probe"',
      versions: { from: 11 },
      source: `${DOCS}/current/sql-altertable.html`,
      probe: {
        setup: [...PROBE_TABLE_SETUP, ...PROBE_PARTITIONED_SETUP],
        statement: 'ALTER TABLE ONLY lock_probe_parent ADD CONSTRAINT lock_probe_parent_customer_fk FOREIGN KEY (customer_id) REFERENCES lock_probe (id)',
      },
    },
    find: (statement, context) =>
      isAlterOfOnly(statement)
        ? constraintsOnPartitioned(statement, context, ({ constraint, inColumn }) => !inColumn && constraint.contype === 'CONSTR_FOREIGN').map(({ range }) => range)
        : [],
  },
  {
    name: 'a primary key or unique constraint on a partitioned table without all its partition key columns',
    acceptedFrom: undefined,
    instead: 'Include every partition key column in the key (uniqueness is only enforced within each partition), or enforce it per partition.',
    fact: {
      kind: 'failure',
      statement: 'PRIMARY KEY / UNIQUE on a partitioned table, not including the partition key',
      sqlstate: '0A000',
      message: 'unique constraint on partitioned table must include all partitioning columns',
      versions: { from: 11 },
      source: `${DOCS}/current/ddl-partitioning.html#DDL-PARTITIONING-DECLARATIVE-LIMITATIONS`,
      probe: { setup: PROBE_PARTITIONED_SETUP, statement: 'ALTER TABLE lock_probe_parent ADD CONSTRAINT lock_probe_parent_customer_key UNIQUE (customer_id)' },
    },
    find: uniqueWithoutPartitionKey,
  },
  {
    name: 'a foreign key referencing a partitioned table',
    acceptedFrom: 12,
    instead: 'Reference each partition, or enforce the reference with a trigger.',
    fact: {
      kind: 'failure',
      statement: 'FOREIGN KEY … REFERENCES partitioned_table (before PostgreSQL 12)',
      sqlstate: '42809',
      message: 'cannot reference partitioned table "lock_probe_parent"',
      versions: { from: 10, until: 11 },
      accepted: { from: 12 },
      source: RELEASE_NOTES(12),
      probe: {
        setup: [...PROBE_PARTITIONED_SETUP, 'ALTER TABLE lock_probe_parent ADD PRIMARY KEY (id)', 'CREATE TABLE lock_probe_ref (id int, parent_id int)'],
        statement: 'ALTER TABLE lock_probe_ref ADD CONSTRAINT lock_probe_ref_parent_fk FOREIGN KEY (parent_id) REFERENCES lock_probe_parent (id)',
      },
    },
    find: (statement, context) =>
      allConstraints(statement)
        .filter(({ constraint }) => constraint.contype === 'CONSTR_FOREIGN' && constraint.pktable?.relname !== undefined)
        .filter(({ constraint }) => isPartitioned(context, relationFromRangeVar(constraint.pktable!, statement.locate), statement.index))
        .map(({ range }) => range),
  },
  {
    name: 'CLUSTER of a partitioned table',
    acceptedFrom: 15,
    instead: 'CLUSTER each partition on its own index.',
    fact: {
      kind: 'failure',
      statement: 'CLUSTER partitioned_table (before PostgreSQL 15)',
      sqlstate: '0A000',
      message: 'cannot cluster a partitioned table',
      versions: { from: 11, until: 14 },
      accepted: { from: 15 },
      source: RELEASE_NOTES(15),
      probe: { setup: [...PROBE_PARTITIONED_SETUP, 'CREATE INDEX lock_probe_parent_id_idx ON lock_probe_parent (id)'], statement: 'CLUSTER lock_probe_parent USING lock_probe_parent_id_idx' },
    },
    find: (statement, context) => {
      const cluster = nodeAs(statement, 'ClusterStmt');
      return cluster?.relation && isPartitioned(context, relationFromRangeVar(cluster.relation, statement.locate), statement.index) ? [statement.range] : [];
    },
  },

  // Constraints, columns and indexes.
  syntaxForm(
    'ADD CONSTRAINT … NOT NULL column (a NOT NULL table constraint, optionally NOT VALID)',
    18,
    10,
    'NOT',
    { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_not_null NOT NULL customer_id NOT VALID' },
    `${DOCS}/18/sql-altertable.html`,
    'Use ALTER COLUMN … SET NOT NULL, after a validated CHECK (column IS NOT NULL) NOT VALID so that it does not scan (PostgreSQL 12+).',
    (statement) => tableConstraints(statement).filter(({ constraint }) => constraint.contype === 'CONSTR_NOTNULL').map(({ range }) => range),
  ),
  syntaxForm(
    'NOT ENFORCED constraints',
    18,
    10,
    'ENFORCED',
    { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD CONSTRAINT lock_probe_customer_check CHECK (customer_id >= 0) NOT ENFORCED' },
    `${DOCS}/18/sql-createtable.html`,
    'Add the constraint NOT VALID (it then applies to new rows only), or leave it out.',
    (statement) => (allConstraints(statement).some(({ constraint }) => isNotEnforced(constraint)) ? keywordRanges(statement, ['ENFORCED']) : []),
  ),
  syntaxForm(
    'virtual generated columns',
    18,
    12,
    'VIRTUAL',
    { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN customer_double int GENERATED ALWAYS AS (customer_id * 2) VIRTUAL' },
    `${DOCS}/18/ddl-generated-columns.html`,
    'Write GENERATED ALWAYS AS (…) STORED (computed on write, and adding it rewrites the table), or compute the value in a view.',
    (statement) => allConstraints(statement).filter(({ constraint }) => constraint.contype === 'CONSTR_GENERATED' && constraint.generated_kind === 'v').map(({ range }) => range),
  ),
  syntaxForm(
    'WITHOUT OVERLAPS keys',
    18,
    10,
    'WITHOUT',
    {
      setup: ['CREATE EXTENSION IF NOT EXISTS btree_gist', 'CREATE TABLE lock_probe_booking (room int, during tstzrange)'],
      statement: 'ALTER TABLE lock_probe_booking ADD CONSTRAINT lock_probe_booking_pkey PRIMARY KEY (room, during WITHOUT OVERLAPS)',
    },
    `${DOCS}/18/sql-createtable.html`,
    'Use an exclusion constraint: EXCLUDE USING gist (room WITH =, during WITH &&) (needs btree_gist).',
    (statement) => (allConstraints(statement).some(({ constraint }) => constraint.without_overlaps === true) ? keywordRanges(statement, ['OVERLAPS']) : []),
  ),
  syntaxForm(
    'ALTER COLUMN … SET EXPRESSION',
    17,
    12,
    'EXPRESSION',
    {
      setup: [...PROBE_TABLE_SETUP, 'ALTER TABLE lock_probe ADD COLUMN customer_double int GENERATED ALWAYS AS (customer_id * 2) STORED'],
      statement: 'ALTER TABLE lock_probe ALTER COLUMN customer_double SET EXPRESSION AS (customer_id * 3)',
    },
    `${DOCS}/17/sql-altertable.html`,
    'Drop the generated column and add it again with the new expression (both rewrite the table).',
    (statement) => (alterCommands(statement, 'AT_SetExpression').length > 0 ? keywordRanges(statement, ['EXPRESSION']) : []),
  ),
  syntaxForm(
    'NULLS NOT DISTINCT',
    15,
    10,
    'NULLS',
    { setup: PROBE_TABLE_SETUP, statement: 'CREATE UNIQUE INDEX lock_probe_customer_key ON lock_probe (customer_id, id) NULLS NOT DISTINCT' },
    `${DOCS}/15/sql-createindex.html`,
    'Make the column NOT NULL, or index COALESCE(column, <sentinel>) to treat NULLs as equal.',
    (statement) =>
      nodeAs(statement, 'IndexStmt')?.nulls_not_distinct === true || allConstraints(statement).some(({ constraint }) => constraint.nulls_not_distinct === true)
        ? keywordRanges(statement, ['NULLS'])
        : [],
  ),
  syntaxForm(
    'ALTER TABLE … SET ACCESS METHOD',
    15,
    10,
    'ACCESS',
    { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe SET ACCESS METHOD heap' },
    `${DOCS}/15/sql-altertable.html`,
    'Create a new table USING the access method and copy the rows into it.',
    (statement) => (alterCommands(statement, 'AT_SetAccessMethod').length > 0 ? keywordRanges(statement, ['ACCESS']) : []),
  ),
  syntaxForm(
    'column COMPRESSION',
    14,
    10,
    'COMPRESSION',
    { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN note text COMPRESSION pglz' },
    `${DOCS}/14/sql-altertable.html`,
    'Leave the compression method out (pglz is the only one before PostgreSQL 14).',
    (statement) => (alterCommands(statement, 'AT_SetCompression').length > 0 || columnDefinitions(statement).some((column) => column.compression !== undefined) ? keywordRanges(statement, ['COMPRESSION']) : []),
  ),
  syntaxForm(
    'column STORAGE in CREATE TABLE',
    16,
    10,
    'STORAGE',
    { setup: [], statement: 'CREATE TABLE lock_probe_storage (id int, note text STORAGE EXTERNAL)' },
    `${DOCS}/16/sql-createtable.html`,
    'Create the table without STORAGE, then ALTER TABLE … ALTER COLUMN … SET STORAGE.',
    (statement) => (nodeAs(statement, 'CreateStmt') && columnDefinitions(statement).some((column) => column.storage_name !== undefined) ? keywordRanges(statement, ['STORAGE']) : []),
  ),
  syntaxForm(
    'IS JSON',
    16,
    10,
    'JSON',
    { setup: PROBE_TABLE_SETUP, statement: "ALTER TABLE lock_probe ADD COLUMN doc text CHECK (doc IS JSON)" },
    `${DOCS}/16/functions-json.html#FUNCTIONS-SQLJSON-MISC`,
    'Cast to json in a CHECK instead: CHECK (doc::json IS NOT NULL) raises on invalid JSON.',
    // The token test first: walking every statement's tree would cost more than the rest of the rule.
    (statement) => (hasWord(statement, 'JSON') && containsNode(statement.ast, 'JsonIsPredicate') ? keywordRanges(statement, ['JSON']) : []),
  ),
  syntaxForm(
    'REINDEX … CONCURRENTLY',
    12,
    10,
    'CONCURRENTLY',
    { setup: PROBE_TABLE_SETUP, statement: 'REINDEX INDEX CONCURRENTLY lock_probe_pkey' },
    `${DOCS}/12/sql-reindex.html`,
    'Build a new index with CREATE INDEX CONCURRENTLY, then DROP INDEX CONCURRENTLY the old one (and rename the new one).',
    (statement) => ((nodeAs(statement, 'ReindexStmt')?.params ?? []).some((param) => 'DefElem' in param && param.DefElem.defname === 'concurrently') ? keywordRanges(statement, ['CONCURRENTLY']) : []),
  ),

  // Statements.
  syntaxForm(
    'MERGE',
    15,
    10,
    'MERGE',
    { setup: PROBE_TABLE_SETUP, statement: 'MERGE INTO lock_probe t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET customer_id = 0' },
    `${DOCS}/15/sql-merge.html`,
    'Use INSERT … ON CONFLICT … DO UPDATE, or an UPDATE and an INSERT.',
    (statement) => (nodeAs(statement, 'MergeStmt') ? keywordRanges(statement, ['MERGE']) : []),
  ),
  syntaxForm(
    'MERGE … RETURNING',
    17,
    15,
    'RETURNING',
    { setup: PROBE_TABLE_SETUP, statement: 'MERGE INTO lock_probe t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET customer_id = 0 RETURNING t.id' },
    `${DOCS}/17/sql-merge.html`,
    'Drop RETURNING and read the rows back with a SELECT.',
    (statement) => (nodeAs(statement, 'MergeStmt')?.returningClause ? keywordRanges(statement, ['RETURNING']) : []),
  ),
  syntaxForm(
    'MERGE … WHEN NOT MATCHED BY SOURCE',
    17,
    15,
    'BY',
    { setup: PROBE_TABLE_SETUP, statement: 'MERGE INTO lock_probe t USING (SELECT 1 AS id) s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE' },
    `${DOCS}/17/sql-merge.html`,
    'Delete the unmatched rows with a separate DELETE … WHERE NOT EXISTS (…).',
    (statement) =>
      (nodeAs(statement, 'MergeStmt')?.mergeWhenClauses ?? []).some((clause) => 'MergeWhenClause' in clause && clause.MergeWhenClause.matchKind === 'MERGE_WHEN_NOT_MATCHED_BY_SOURCE')
        ? keywordRanges(statement, ['SOURCE'])
        : [],
  ),
  syntaxForm(
    'CREATE OR REPLACE TRIGGER',
    14,
    10,
    'TRIGGER',
    {
      setup: [...PROBE_TABLE_SETUP, "CREATE FUNCTION lock_probe_noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'"],
      statement: 'CREATE OR REPLACE TRIGGER lock_probe_noop BEFORE INSERT ON lock_probe FOR EACH ROW EXECUTE FUNCTION lock_probe_noop()',
    },
    `${DOCS}/14/sql-createtrigger.html`,
    'DROP TRIGGER IF EXISTS, then CREATE TRIGGER, in one transaction.',
    (statement) => (nodeAs(statement, 'CreateTrigStmt')?.replace === true ? keywordRanges(statement, ['REPLACE']) : []),
  ),
  {
    name: 'views WITH (security_invoker)',
    acceptedFrom: 15,
    instead: 'Leave the option out: before PostgreSQL 15 a view always checks permissions as its owner.',
    fact: {
      kind: 'failure',
      statement: 'CREATE VIEW … WITH (security_invoker) (before PostgreSQL 15)',
      sqlstate: '22023',
      message: 'unrecognized parameter "security_invoker"',
      versions: { from: 10, until: 14 },
      accepted: { from: 15 },
      source: `${DOCS}/15/sql-createview.html`,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'CREATE VIEW lock_probe_view WITH (security_invoker = true) AS SELECT id FROM lock_probe' },
    },
    find: (statement) =>
      (nodeAs(statement, 'ViewStmt')?.options ?? []).some((option) => 'DefElem' in option && option.DefElem.defname === 'security_invoker') ? keywordRanges(statement, ['SECURITY_INVOKER']) : [],
  },
  {
    name: 'GRANT MAINTAIN',
    acceptedFrom: 17,
    instead: 'Grant the privileges VACUUM, ANALYZE and REINDEX need by ownership of the table, or run them as its owner.',
    fact: {
      kind: 'failure',
      statement: 'GRANT MAINTAIN ON table (before PostgreSQL 17)',
      sqlstate: '42601',
      message: 'unrecognized privilege type "maintain"',
      versions: { from: 10, until: 16 },
      accepted: { from: 17 },
      source: `${DOCS}/17/sql-grant.html`,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'GRANT MAINTAIN ON lock_probe TO PUBLIC' },
    },
    find: (statement) =>
      (nodeAs(statement, 'GrantStmt')?.privileges ?? []).some((privilege) => 'AccessPriv' in privilege && privilege.AccessPriv.priv_name === 'maintain') ? keywordRanges(statement, ['MAINTAIN']) : [],
  },
  {
    name: 'uuidv7() and uuidv4()',
    acceptedFrom: 18,
    mayBeUserDefined: true,
    instead: 'Use gen_random_uuid() (PostgreSQL 13+), or define uuidv7() yourself (or with an extension) in an earlier migration.',
    fact: {
      kind: 'failure',
      statement: 'uuidv7() (before PostgreSQL 18, unless an extension or the project defines it)',
      sqlstate: '42883',
      message: 'function uuidv7() does not exist',
      versions: { from: 10, until: 17 },
      accepted: { from: 18 },
      source: `${DOCS}/18/functions-uuid.html`,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'ALTER TABLE lock_probe ADD COLUMN public_id uuid DEFAULT uuidv7()' },
    },
    find: (statement, context) => builtInCallsOf(statement, context, ['uuidv7', 'uuidv4']),
  },
];

/** ALTER TABLE ONLY: the parser leaves `inh` unset. */
const isAlterOfOnly = (statement: ParsedStatement) => {
  const relation = nodeAs(statement, 'AlterTableStmt')?.relation;
  return relation !== undefined && relation.inh !== true;
};

/** The ALTER TABLE's subcommands of one kind. */
const alterCommands = (statement: ParsedStatement, subtype: string) => statement.alterTableCommands.filter((cmd) => cmd.subtype === subtype);

/** The first token spelling one of `words`, as a range (none when the statement has none). */
function keywordRanges(statement: ParsedStatement, words: readonly string[]): OffsetRange[] {
  const found = statement.tokens.filter((token) => token.type === 'word' && words.includes(token.value.toUpperCase()));
  return found.slice(0, 1).map((token) => ({ start: token.start, end: token.end }));
}

/** A constraint of the statement, where it is written (computed only for what is reported), and whether it is declared on a column. */
interface FoundConstraint {
  constraint: Constraint;
  readonly range: OffsetRange;
  inColumn: boolean;
}

function found(statement: ParsedStatement, constraint: Constraint, inColumn: boolean): FoundConstraint {
  return {
    constraint,
    inColumn,
    get range() {
      return constraintRange(statement, constraint);
    },
  };
}

/** The constraints a CREATE TABLE or an ALTER TABLE declares (on columns or on the table). */
function allConstraints(statement: ParsedStatement): readonly FoundConstraint[] {
  if (statement.nodeType !== 'CreateStmt' && statement.nodeType !== 'AlterTableStmt') return [];
  // A dozen forms ask about each statement: its constraints are listed once.
  let constraints = CONSTRAINTS.get(statement);
  if (!constraints) {
    const columns = columnDefinitions(statement).flatMap((column) => constraintsOf(column.constraints).map((constraint) => found(statement, constraint, true)));
    CONSTRAINTS.set(statement, (constraints = [...columns, ...tableConstraints(statement)]));
  }
  return constraints;
}

const CONSTRAINTS = new WeakMap<ParsedStatement, readonly FoundConstraint[]>();

/** Table constraints: CREATE TABLE's, and ALTER TABLE … ADD CONSTRAINT's. */
function tableConstraints(statement: ParsedStatement): FoundConstraint[] {
  const elements = nodeAs(statement, 'CreateStmt')?.tableElts ?? [];
  const added = alterCommands(statement, 'AT_AddConstraint').flatMap((cmd) => (cmd.def ? [cmd.def] : []));
  return constraintsOf([...elements, ...added]).map((constraint) => found(statement, constraint, false));
}

/** The column definitions of a CREATE TABLE or of an ALTER TABLE's ADD COLUMNs. */
function columnDefinitions(statement: ParsedStatement) {
  const elements = [...(nodeAs(statement, 'CreateStmt')?.tableElts ?? []), ...alterCommands(statement, 'AT_AddColumn').flatMap((cmd) => (cmd.def ? [cmd.def] : []))];
  return elements.flatMap((node) => ('ColumnDef' in node ? [node.ColumnDef] : []));
}

/** From the constraint's first token (CONSTRAINT name, or its keyword) to the statement's end or the next comma at depth 0. */
function constraintRange(statement: ParsedStatement, constraint: Constraint): OffsetRange {
  const start = constraint.location !== undefined && constraint.location >= 0 ? statement.locate(constraint.location) : statement.range.start;
  let depth = 0;
  let end = start;
  const { tokens } = statement;
  let first = 0;
  for (let last = tokens.length; first < last; ) {
    const middle = (first + last) >> 1;
    if (tokens[middle]!.start < start) first = middle + 1;
    else last = middle;
  }
  for (const token of tokens.slice(first)) {
    if (token.value === '(') depth++;
    if (token.value === ')' && --depth < 0) break;
    if (token.value === ',' && depth === 0) break;
    end = token.end;
  }
  return { start, end: Math.max(end, start) };
}

/** A CHECK or FOREIGN KEY written NOT ENFORCED (PostgreSQL 18's parser leaves `is_enforced` unset, or marks a column's with an attribute). */
const isNotEnforced = (constraint: Constraint) =>
  constraint.contype === 'CONSTR_ATTR_NOT_ENFORCED' || ((constraint.contype === 'CONSTR_CHECK' || constraint.contype === 'CONSTR_FOREIGN') && constraint.is_enforced !== true);

/**
 * The constraints of a statement on a partitioned table (one the migrations show partitioned, or that
 * the statement creates PARTITION BY). Constraints are read first: most statements have none.
 */
function constraintsOnPartitioned(statement: ParsedStatement, context: RuleContext, wanted: (found: FoundConstraint) => boolean): FoundConstraint[] {
  const constraints = allConstraints(statement).filter(wanted);
  if (constraints.length === 0) return [];
  const create = nodeAs(statement, 'CreateStmt');
  if (create) return create.partspec ? constraints : [];
  const table = nodeAs(statement, 'AlterTableStmt')?.objtype === 'OBJECT_TABLE' ? statement.targets[0] : undefined;
  return table && isPartitioned(context, table, statement.index) ? constraints : [];
}

/**
 * Whether the table is partitioned as far as the migrations show: this file (see isPartitionedInFile), or
 * else the earlier migrations of its set (the schema catalogue).
 */
function isPartitioned(context: RuleContext, table: RelationName, beforeStatement: number): boolean {
  return isPartitionedInFile(context, table, beforeStatement) || context.schema.before(beforeStatement).table(table)?.kind === 'partitioned-table';
}

/** Whether the altered partitioned table may have partitions: it predates the file, or the file gave it one. */
function hasPartitions(statement: ParsedStatement, context: RuleContext): boolean {
  const table = statement.targets[0];
  if (!table || nodeAs(statement, 'CreateStmt')) return false;
  return !context.isCreatedInFile(table, statement.index) || givesPartitionInFile(context, table, statement.index);
}

/**
 * PRIMARY KEY, UNIQUE and unique indexes on a partitioned table whose plain partition key columns the
 * file shows, that leave one of those columns out. Expression keys are not judged.
 */
function uniqueWithoutPartitionKey(statement: ParsedStatement, context: RuleContext): OffsetRange[] {
  const index = nodeAs(statement, 'IndexStmt');
  if (index?.unique && index.relation) {
    const key = partitionKeyInFile(context, relationFromRangeVar(index.relation, statement.locate), statement.index);
    const columns = (index.indexParams ?? []).flatMap((param) => ('IndexElem' in param && param.IndexElem.name !== undefined ? [param.IndexElem.name] : []));
    return key && key.some((column) => !columns.includes(column)) ? [statement.range] : [];
  }
  // The keys first: the partition key is only looked up for a statement that declares one.
  const unique = (constraint: Constraint) => constraint.contype === 'CONSTR_PRIMARY' || constraint.contype === 'CONSTR_UNIQUE';
  const columnKeys = columnDefinitions(statement).flatMap((column) =>
    constraintsOf(column.constraints)
      .filter(unique)
      .map((constraint) => ({ columns: [column.colname ?? ''], constraint })),
  );
  const tableKeys = tableConstraints(statement)
    .filter(({ constraint }) => unique(constraint) && constraint.indexname === undefined)
    .map(({ constraint }) => ({ columns: (constraint.keys ?? []).flatMap((node) => ('String' in node && node.String.sval ? [node.String.sval] : [])), constraint }));
  const keys = [...columnKeys, ...tableKeys];
  if (keys.length === 0) return [];
  const create = nodeAs(statement, 'CreateStmt');
  const table = create?.relation ? relationFromRangeVar(create.relation, statement.locate) : nodeAs(statement, 'AlterTableStmt')?.objtype === 'OBJECT_TABLE' ? statement.targets[0] : undefined;
  const partitionKey = table && (create ? plainPartitionKey(create) : partitionKeyInFile(context, table, statement.index));
  if (!partitionKey) return [];
  return keys.filter(({ columns }) => partitionKey.some((column) => !columns.includes(column))).map(({ constraint }) => constraintRange(statement, constraint));
}

/** The partition key columns of the table, when the latest CREATE TABLE of it in the file says PARTITION BY plain columns. */
function partitionKeyInFile(context: RuleContext, table: RelationName, beforeStatement: number): string[] | undefined {
  if (!isPartitionedInFile(context, table, beforeStatement)) return undefined;
  const create = latestCreateInFile(context, table, beforeStatement);
  return create && plainPartitionKey(create);
}

function plainPartitionKey(create: CreateStmt): string[] | undefined {
  const parameters = create.partspec?.partParams ?? [];
  if (parameters.length === 0) return undefined;
  const names = parameters.map((node) => ('PartitionElem' in node ? node.PartitionElem.name : undefined));
  return names.every((name): name is string => name !== undefined) ? names : undefined;
}

/** Calls of built-in functions named `names`, without a schema, that no CREATE FUNCTION of the migrations defines. */
function builtInCallsOf(statement: ParsedStatement, context: RuleContext, names: readonly string[]): OffsetRange[] {
  if (!names.some((name) => hasWord(statement, name.toUpperCase()))) return [];
  const calls = nodesOf(statement.ast, 'FuncCall').filter((call) => {
    const parts = (call.funcname ?? []).flatMap((part) => ('String' in part && part.String.sval ? [part.String.sval.toLowerCase()] : []));
    return parts.length === 1 && names.includes(parts[0]!);
  });
  const defined = (name: string) =>
    context.schema.before(statement.index).function({ schema: undefined, name }).length > 0 ||
    context.statements.slice(0, statement.index).some((earlier) => {
      const parts = (nodeAs(earlier, 'CreateFunctionStmt')?.funcname ?? []).flatMap((part) => ('String' in part && part.String.sval ? [part.String.sval] : []));
      return parts.at(-1) === name;
    });
  return calls
    .filter((call) => !defined(((call.funcname ?? []).at(-1) as { String: { sval: string } }).String.sval.toLowerCase()))
    .map((call) => {
      const start = statement.locate(call.location ?? 0);
      const token = statement.tokens.find((candidate) => candidate.start === start);
      return { start, end: token?.end ?? start };
    });
}

/** Whether the statement has a word token `word` (upper case, as the lexer gives keywords and unquoted names). */
const hasWord = (statement: ParsedStatement, word: string) => statement.tokens.some((token) => token.type === 'word' && token.value.toUpperCase() === word);

/** Whether the tree holds a node of `type`. */
const containsNode = (tree: Node, type: string) => nodesOf(tree, type).length > 0;

/** Every node of `type` in the tree, in document order. */
function nodesOf<T = Record<string, unknown> & { location?: number; funcname?: Node[] }>(tree: unknown, type: string): T[] {
  const found: T[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === type) found.push(child as T);
        visit(child);
      }
    }
  };
  visit(tree);
  return found;
}
