import type { DropStmt, IndexStmt } from '@pgsql/types';
import { displayRelation, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import type { Token } from '../text/lexer';
import { PROBE_TABLE_SETUP } from './probe-fixtures';
import type { Fix, Report, Rule, RuleContext } from './rule';
import { insertBefore } from './support/insert-statement';
import { firstKeyword } from './support/keywords';

const DOCS_CREATE_INDEX_CONCURRENTLY = 'https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY';
const DOCS_DROP_INDEX = 'https://www.postgresql.org/docs/current/sql-dropindex.html';

/** The query the docs give to find what failed builds left behind. */
const FIND_INVALID_INDEXES = 'SELECT indexrelid::regclass AS index, indrelid::regclass AS table FROM pg_index WHERE NOT indisvalid;';

/**
 * The concurrent forms commit in steps of their own, so a failure cannot be rolled back: a failed
 * build leaves an INVALID index under its name, and a drop that already happened stays done. The
 * re-run of the migration then fails on the name, whatever wraps the file.
 */
export const concurrentIndexWithoutIfExists: Rule = {
  id: 'concurrent-index-without-if-exists',
  severity: 'warning',
  category: 'hygiene',
  docs: {
    summary: 'CREATE INDEX CONCURRENTLY without IF NOT EXISTS, or DROP INDEX CONCURRENTLY without IF EXISTS: after a failure, the re-run of the migration fails on the index name.',
    why:
      'A concurrent index build cannot be rolled back. When it fails — a deadlock, a duplicate in a UNIQUE index, a ' +
      'cancelled statement, a lost connection — PostgreSQL leaves the index behind, marked INVALID: queries do not use ' +
      'it, but every write still maintains it. Re-running the migration then stops at once on `relation "…" already ' +
      'exists`, and someone has to repair production by hand, under pressure. `DROP INDEX CONCURRENTLY` also commits on ' +
      'its own: if a later statement of the migration fails, the index is already gone, and the re-run fails on ' +
      '`index "…" does not exist`. Both hold in every transaction mode, so the rule reports every concurrent build ' +
      'and drop without its guard.',
    example: {
      bad: 'CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nDROP INDEX CONCURRENTLY orders_old_status_idx;',
      good: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);\nDROP INDEX CONCURRENTLY IF EXISTS orders_old_status_idx;',
    },
    instead:
      'Write `CREATE INDEX CONCURRENTLY IF NOT EXISTS name …` (the index needs a name) and `DROP INDEX CONCURRENTLY IF ' +
      'EXISTS name`; the quick fix adds them. `IF NOT EXISTS` only checks the name, so it would keep an INVALID leftover ' +
      'of a failed build as if it were the index: before you retry a migration whose build failed, drop the leftover ' +
      `with \`DROP INDEX CONCURRENTLY IF EXISTS name;\`. To find INVALID indexes: \`${FIND_INVALID_INDEXES}\` ` +
      'Or put `DROP INDEX CONCURRENTLY IF EXISTS name;` before the build (the other quick fix): every run then starts ' +
      'from no index, leftover included, at the price of rebuilding an index a failed run had already finished. A ' +
      'build with such a DROP … IF EXISTS earlier in the file is not reported.'
  },
  facts: [
    {
      kind: 'failure',
      statement: 'CREATE INDEX name … when an index of that name exists (an INVALID leftover of a failed build too)',
      sqlstate: '42P07',
      message: 'relation "lock_probe_customer_idx" already exists',
      versions: { from: 10 },
      source: DOCS_CREATE_INDEX_CONCURRENTLY,
      probe: { setup: [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)'], statement: 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)' },
    },
    {
      kind: 'failure',
      statement: 'DROP INDEX name when it was already dropped',
      sqlstate: '42704',
      message: 'index "lock_probe_dropped_idx" does not exist',
      versions: { from: 10 },
      source: DOCS_DROP_INDEX,
      probe: { setup: PROBE_TABLE_SETUP, statement: 'DROP INDEX lock_probe_dropped_idx' },
    },
  ],
  fixChecks: [
    {
      setup: [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_old_idx ON lock_probe (id, customer_id)'],
      migration: 'CREATE INDEX CONCURRENTLY lock_probe_customer_idx ON lock_probe (customer_id);\nDROP INDEX CONCURRENTLY lock_probe_old_idx;\n',
    },
    {
      // The re-run after a first run built the index and dropped the old one, then failed later on.
      setup: [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)'],
      migration: 'CREATE UNIQUE INDEX CONCURRENTLY lock_probe_customer_idx ON lock_probe USING btree (customer_id, id);\nDROP INDEX CONCURRENTLY lock_probe_old_idx;\n',
    },
  ],
  check(statement, context) {
    if (statement.kind !== 'parsed') return [];
    const index = nodeAs(statement, 'IndexStmt');
    if (index?.concurrent && !index.if_not_exists) return isDroppedFirst(statement, index, context) ? [] : [unguardedBuild(statement, index, context)];
    const drop = nodeAs(statement, 'DropStmt');
    if (drop?.removeType === 'OBJECT_INDEX' && drop.concurrent && !drop.missing_ok) return [unguardedDrop(statement, drop)];
    return [];
  },
};

function unguardedBuild(statement: ParsedStatement, index: IndexStmt, context: RuleContext): Report {
  const concurrently = firstKeyword(statement, ['CONCURRENTLY']);
  const range = { start: statement.range.start, end: concurrently?.end ?? statement.range.end };
  if (!index.idxname) {
    return {
      message:
        'If this unnamed concurrent build fails, it leaves an INVALID index behind, and the re-run builds a second one next to it under a ' +
        'new name: both slow every write. Name the index, and write CREATE INDEX CONCURRENTLY IF NOT EXISTS name.',
      range,
      noFixReason: 'Only a named index can take IF NOT EXISTS: give it a name.',
    };
  }
  const name = displayRelation({ schema: index.relation?.schemaname, name: index.idxname });
  // Atlas resumes a failed file at the statement that failed: a drop written before the build ran already and is skipped.
  const resumes = context.migration.framework?.id === 'atlas';
  const dropLeftover = resumes
    ? `before running \`atlas migrate apply\` again after a failed build, drop the leftover by hand (DROP INDEX CONCURRENTLY IF EXISTS ${name}): ` +
      'IF NOT EXISTS would keep it, and Atlas resumes the file at the statement that failed, so a drop written before it would not run again.'
    : `before retrying a failed build, drop the leftover (DROP INDEX CONCURRENTLY IF EXISTS ${name}): IF NOT EXISTS would keep it.`;
  return {
    message:
      `If this concurrent build fails, PostgreSQL leaves an INVALID index ${name} behind, and re-running the migration fails with ` +
      `"relation ${name} already exists". Write CREATE INDEX CONCURRENTLY IF NOT EXISTS, and ${dropLeftover}`,
    range,
    safeAlternative: `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} …, after dropping any INVALID leftover of a failed run.`,
    fixes: [
      // Not automatic: on a retry, IF NOT EXISTS keeps an INVALID leftover, which someone must drop first.
      ...(concurrently ? [addGuard(concurrently, 'IF NOT EXISTS', false)] : []),
      ...(resumes
        ? []
        : [
            {
              // Repeatable and leaves no INVALID index, at the price of rebuilding one a failed run had finished.
              title: `Drop any leftover ${name} first (DROP INDEX CONCURRENTLY IF EXISTS)`,
              edits: [insertBefore(statement, context, `DROP INDEX CONCURRENTLY IF EXISTS ${name};`)],
              preferred: false,
              autoApplicable: false,
            },
          ]),
    ],
  };
}

/** An earlier `DROP INDEX … IF EXISTS` of the same index makes the build repeatable, leftover included. */
function isDroppedFirst(statement: ParsedStatement, index: IndexStmt, context: RuleContext): boolean {
  if (!index.idxname) return false;
  const built: RelationName = { schema: index.relation?.schemaname, name: index.idxname };
  return context.statements.slice(0, statement.index).some((earlier) => {
    const drop = nodeAs(earlier, 'DropStmt');
    if (drop?.removeType !== 'OBJECT_INDEX' || !drop.missing_ok) return false;
    return droppedNames(drop).some((dropped) => dropped.name === built.name && (dropped.schema === undefined || built.schema === undefined || dropped.schema === built.schema));
  });
}

/** The indexes a DROP INDEX names, as `schema.name` or `name`. */
function droppedNames(drop: DropStmt): RelationName[] {
  return (drop.objects ?? []).flatMap((object) => {
    const parts = 'List' in object ? (object.List.items ?? []).flatMap((item) => ('String' in item && item.String.sval ? [item.String.sval] : [])) : [];
    const name = parts.pop();
    return name === undefined ? [] : [{ schema: parts.pop(), name }];
  });
}

function unguardedDrop(statement: ParsedStatement, drop: DropStmt): Report {
  const concurrently = firstKeyword(statement, ['CONCURRENTLY']);
  const [dropped] = droppedNames(drop);
  const name = dropped ? displayRelation(dropped) : 'the index';
  return {
    message:
      `DROP INDEX CONCURRENTLY commits on its own: if a later statement of the migration fails, ${name} is already gone, and the re-run ` +
      `fails here with "index ${name} does not exist". Write DROP INDEX CONCURRENTLY IF EXISTS.`,
    range: { start: statement.range.start, end: concurrently?.end ?? statement.range.end },
    safeAlternative: `DROP INDEX CONCURRENTLY IF EXISTS ${name}`,
    // Where the original succeeds, the guarded drop does the same.
    fixes: concurrently ? [addGuard(concurrently, 'IF EXISTS', true)] : [],
  };
}

function addGuard(after: Token, guard: 'IF NOT EXISTS' | 'IF EXISTS', autoApplicable: boolean): Fix {
  return { title: `Add ${guard}`, edits: [{ range: { start: after.end, end: after.end }, newText: ` ${guard}` }], preferred: true, autoApplicable };
}
