import { blockedOperations } from '../locks/lock-modes';
import { displayRelation, relationFromNames, type RelationName } from '../model/relations';
import { nodeAs, type ParsedStatement } from '../model/statement';
import { PROBE_VIEW_SETUP } from './probe-fixtures';
import type { Rule, RuleContext } from './rule';
import { createsRelationNamed, EXPAND_CONTRACT, isRevertingMigration, renamesTableTo, renamesViewTo } from './support/breaking-changes';
import { namesOf } from './support/constraints';
import { leadingKeywords } from './support/keywords';

const DOCS_DROP_VIEW = 'https://www.postgresql.org/docs/current/sql-dropview.html';

/** DROP VIEW / DROP MATERIALIZED VIEW of a view the running application may still read. */
export const dropView: Rule = {
  id: 'drop-view',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'DROP VIEW or DROP MATERIALIZED VIEW of an existing view: the running application\'s queries on it fail.',
    why:
      'Applications read views like tables (reports, read models, an old name kept for compatibility): from the ' +
      'commit on, each query of the code running in production on the view fails with `relation "…" does not ' +
      'exist`, until the new code runs everywhere. The drop takes an ACCESS EXCLUSIVE lock on the view: instant, ' +
      'but queries on it queue behind it while it waits for running ones. `CASCADE` also drops the views that ' +
      'depend on it.',
    example: {
      bad: 'DROP VIEW active_customers;',
      good:
        '-- change the definition in place (same columns, new ones at the end):\nCREATE OR REPLACE VIEW active_customers AS SELECT id, name, email FROM customers WHERE active;\n' +
        '-- or drop it once no code reads it:\n-- lockguard-ignore drop-view: unused since release N\nDROP VIEW active_customers;',
    },
    instead:
      `${EXPAND_CONTRACT} To change what a view returns, \`CREATE OR REPLACE VIEW\` it, or drop and re-create it ` +
      'in the same migration: a view the file creates again under the same name is not reported.',
  },
  facts: [
    {
      kind: 'lock',
      statement: 'DROP VIEW view',
      mode: 'ACCESS EXCLUSIVE',
      on: 'the view',
      blocks: blockedOperations('ACCESS EXCLUSIVE'),
      rewrite: false,
      fullScan: false,
      versions: { from: 10 },
      source: DOCS_DROP_VIEW,
      // Re-created in the same transaction so the probe can name it; the other session still sees the dropped
      // view, locked, until the commit.
      probe: { setup: PROBE_VIEW_SETUP, statement: 'DROP VIEW lock_probe_view; CREATE VIEW lock_probe_view AS SELECT id, customer_id FROM lock_probe', relation: 'lock_probe_view' },
    },
  ],
  fixChecks: [],
  check(statement, context) {
    const drop = nodeAs(statement, 'DropStmt');
    if ((drop?.removeType !== 'OBJECT_VIEW' && drop?.removeType !== 'OBJECT_MATVIEW') || statement.kind !== 'parsed' || isRevertingMigration(statement, context)) return [];
    const views = (drop.objects ?? [])
      .flatMap((object) => {
        const view = relationFromNames(namesOf('List' in object ? object.List.items : undefined));
        return view ? [view] : [];
      })
      .filter((view) => !isNameOfThisMigration(view, statement.index, context) && !recreatedByItsDoBlock(view, statement, context));
    const [first] = views;
    if (!first) return [];
    const kind = drop.removeType === 'OBJECT_MATVIEW' ? 'DROP MATERIALIZED VIEW' : 'DROP VIEW';
    const cascade = drop.behavior === 'DROP_CASCADE' ? ' CASCADE also drops the views that depend on it.' : '';
    return [
      {
        message:
          `${kind} removes ${views.map(displayRelation).join(', ')}, which the application running now may still read: its queries fail as soon ` +
          `as this commits.${cascade} Stop using the view in the code and deploy that first; drop it in a later migration. To change its ` +
          (drop.removeType === 'OBJECT_MATVIEW'
            ? 'definition, re-create it in this migration (PostgreSQL has no CREATE OR REPLACE MATERIALIZED VIEW).'
            : 'definition, CREATE OR REPLACE VIEW it, or re-create it in this migration.'),
        range: leadingKeywords(statement, ['VIEW']),
        lock: { mode: 'ACCESS EXCLUSIVE', relation: first, blocks: blockedOperations('ACCESS EXCLUSIVE') },
        noFixReason: 'Only the application can stop reading the view: remove its use, deploy, then drop it (and say so with a lockguard-ignore reason).',
        safeAlternative:
          drop.removeType === 'OBJECT_MATVIEW'
            ? 'Re-create it in the same migration to change it; to remove it, stop reading it in the code first.'
            : 'CREATE OR REPLACE VIEW to change it; to remove it, stop reading it in the code first.',
      },
    ];
  },
};

/**
 * Whether no running code can be reading the view under this name: the file created it (or renamed
 * something to it), or creates or renames a relation to it again later (a re-definition or a swap).
 */
function isNameOfThisMigration(view: RelationName, dropStatement: number, context: RuleContext): boolean {
  const end = context.statements.length;
  const named = (from: number, to: number) => createsRelationNamed(context, view, from, to) || renamesViewTo(context, view, from, to) || renamesTableTo(context, view, from, to);
  return named(0, dropStatement) || named(dropStatement + 1, end);
}

/**
 * Whether the DO block running the drop creates a view of the same name after it: the block runs as one
 * statement, so no query sees the view missing. It is often built by `EXECUTE format('CREATE VIEW v AS %s', …)`,
 * which cannot be parsed, so the block's text is read.
 */
function recreatedByItsDoBlock(view: RelationName, drop: ParsedStatement, context: RuleContext): boolean {
  if (!drop.runBy) return false;
  const block = context.statements
    .slice(0, drop.index)
    .reverse()
    .find((statement) => statement.kind === 'parsed' && statement.nodeType === 'DoStmt' && statement.range.start <= drop.range.start && statement.range.end >= drop.range.end);
  if (!block) return false;
  const after = context.source.slice(drop.range.end, block.range.end);
  const name = view.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:MATERIALIZED\\s+)?VIEW\\s+(?:[\\w"]+\\.)?"?${name}\\b`, 'i').test(after);
}
