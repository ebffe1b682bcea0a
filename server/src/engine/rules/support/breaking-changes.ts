import { sameRelation, type RelationName } from '../../model/relations';
import { nodeAs, type ParsedStatement, type Statement } from '../../model/statement';
import { perFile, type RuleContext } from '../rule';
import { addedConstraints, constraintName, namesOf } from './constraints';
import { aboutStatement } from './recorded-questions';

/** How to remove something running code uses, for the docs of the drop and rename rules (Markdown). */
export const EXPAND_CONTRACT =
  'Use expand/contract: first release code that no longer uses the old object (for a rename: that works with ' +
  'both names, e.g. through a view or a new column written by both versions), deploy it everywhere, and only then ' +
  'drop or rename in a later migration. When that already happened, say so on the statement: ' +
  '`-- lockguard-ignore <rule>: <reason>`. Objects created earlier in the same migration are exempt (no running ' +
  'code uses them yet), and so are down/revert migrations, which undo what their up migration created.';

/** Where a section of a multi-direction migration file starts: dbmate, goose, sql-migrate, node-pg-migrate. */
const SECTION_MARKER = /^--\s*(?:migrate:(up|down)|\+goose\s+(up|down)|\+migrate\s+(up|down)|(up|down)\s+migration)\b/gim;

/**
 * Whether the statement undoes an earlier migration: a down or revert script (diesel and
 * golang-migrate `down.sql`, sqitch `revert/`, Flyway `U…__` undo scripts) or the down section of a
 * dbmate, goose, sql-migrate or node-pg-migrate file. What it drops or renames, its up migration
 * created, and the code that used it is rolled back first.
 */
export function isRevertingMigration(statement: Statement, context: RuleContext): boolean {
  const path = (context.options.filePath ?? '').replace(/\\/g, '/');
  const file = path.slice(path.lastIndexOf('/') + 1);
  if (/(^|[._-])down\.sql$/i.test(file) || /^U\d+(?:[._]\d+)*__.+\.sql$/.test(file) || /(^|\/)revert\/[^/]+\.sql$/.test(path)) return true;
  const start = statement.range.start;
  const opened = sectionMarkers(context).filter((marker) => marker.end <= start);
  return opened[opened.length - 1]?.direction === 'down';
}

/** The file's section markers in order: where each ends and the direction it opens. */
const sectionMarkers = perFile((context: RuleContext) =>
  [...context.source.matchAll(SECTION_MARKER)].map((match) => ({
    end: match.index + match[0].length,
    direction: match.slice(1).find((group) => group !== undefined)?.toLowerCase(),
  })),
);

/** Whether an earlier statement of the file creates the schema (`CREATE SCHEMA AUTHORIZATION r` names it r) or renames one to it. */
export function isSchemaNewInFile(context: RuleContext, schema: string, beforeStatement: number): boolean {
  return context.statements.slice(0, beforeStatement).some((statement) => {
    const create = nodeAs(statement, 'CreateSchemaStmt');
    return (create?.schemaname ?? create?.authrole?.rolename) === schema || renamedTo(statement, 'OBJECT_SCHEMA') === schema;
  });
}

/** Whether an earlier statement of the file creates the database or renames one to it. */
export function isDatabaseNewInFile(context: RuleContext, database: string, beforeStatement: number): boolean {
  return context.statements
    .slice(0, beforeStatement)
    .some((statement) => nodeAs(statement, 'CreatedbStmt')?.dbname === database || renamedTo(statement, 'OBJECT_DATABASE') === database);
}

function renamedTo(statement: Statement, kind: 'OBJECT_SCHEMA' | 'OBJECT_DATABASE'): string | undefined {
  const rename = nodeAs(statement, 'RenameStmt');
  return rename?.renameType === kind ? rename.newname : undefined;
}

/**
 * Whether no running code knows the column under this name: its table was created or renamed to its name
 * here (the rename is what breaks the old code), or an earlier statement added it or renamed a column to it.
 */
export function isColumnNewInFile(context: RuleContext, table: RelationName, column: string, beforeStatement: number): boolean {
  return context.isCreatedInFile(table, beforeStatement) || renamesTableTo(context, table, 0, beforeStatement) || addsColumn(context, table, column, 0, beforeStatement) || renamesColumnTo(context, table, column, 0, beforeStatement);
}

/** Whether the constraint is new in this file: its table was created here, or an earlier ALTER TABLE added it. */
export function isConstraintNewInFile(context: RuleContext, table: RelationName, constraint: string, beforeStatement: number): boolean {
  return context.isCreatedInFile(table, beforeStatement) || addsConstraint(context, table, constraint, 0, beforeStatement);
}

/** Whether an ALTER TABLE in [from, to) adds a constraint named `constraint` (its own or PostgreSQL's default name) to `table`. */
export function addsConstraint(context: RuleContext, table: RelationName, constraint: string, from: number, to: number): boolean {
  return alterationsOf(context, table, from, to).some((statement) => addedConstraints(statement).some((added) => constraintName(statement.targets[0]!, added) === constraint));
}

/** Whether a DROP TABLE in [from, to) drops `table`. */
export function dropsTable(context: RuleContext, table: RelationName, from: number, to: number): boolean {
  return sitesOf(relationChanges(context).droppedTables, table, from, to).length > 0;
}

/** Whether a statement in [from, to) renames some table to `table`'s name. */
export function renamesTableTo(context: RuleContext, table: RelationName, from: number, to: number): boolean {
  return sitesOf(relationChanges(context).tablesRenamedTo, table, from, to).length > 0;
}

/** Whether a statement in [from, to) renames a view or materialized view (ALTER VIEW / ALTER MATERIALIZED VIEW) to `view`'s name. */
export function renamesViewTo(context: RuleContext, view: RelationName, from: number, to: number): boolean {
  return sitesOf(relationChanges(context).viewsRenamedTo, view, from, to).length > 0;
}

/** Whether a statement in [from, to) creates a table, view or materialized view named like `table`. */
export function createsRelationNamed(context: RuleContext, table: RelationName, from: number, to: number): boolean {
  return sitesOf(relationChanges(context).createdRelations, table, from, to).length > 0;
}

/** Whether a statement in [from, to) renames a column of `table` to `column`. */
export function renamesColumnTo(context: RuleContext, table: RelationName, column: string, from: number, to: number): boolean {
  return sitesOf(relationChanges(context).columnRenames, table, from, to).some((site) => site.newName === column);
}

/** Whether an ALTER TABLE in [from, to) adds a column `column` to `table`. */
export function addsColumn(context: RuleContext, table: RelationName, column: string, from: number, to: number): boolean {
  return alterationsOf(context, table, from, to).some((statement) =>
    statement.alterTableCommands.some((cmd) => cmd.subtype === 'AT_AddColumn' && cmd.def !== undefined && 'ColumnDef' in cmd.def && cmd.def.ColumnDef.colname === column),
  );
}

/** The ALTER TABLEs of `table` in [from, to), in statement order. */
export function alterationsOf(context: RuleContext, table: RelationName, from: number, to: number): ParsedStatement[] {
  return sitesOf(relationChanges(context).alterations, table, from, to).map((site) => site.statement);
}

/** A statement that acts on a relation, found by the relation's name. */
interface Site {
  relation: RelationName;
  statementIndex: number;
}

type SitesByName<S extends Site> = Map<string, S[]>;

/** The sites on `table` of statements in [from, to), in statement order. */
function sitesOf<S extends Site>(sites: SitesByName<S>, table: RelationName, from: number, to: number): S[] {
  return (sites.get(table.name) ?? []).filter((site) => site.statementIndex >= from && site.statementIndex < to && sameRelation(site.relation, table));
}

function addSite<S extends Site>(sites: SitesByName<S>, site: S): void {
  const named = sites.get(site.relation.name);
  if (named) named.push(site);
  else sites.set(site.relation.name, [site]);
}

/** What the file's statements do to tables, indexed by table name so that asking about one table does not walk the file. */
const relationChanges = perFile((context: RuleContext) => {
  const changes = {
    droppedTables: new Map() as SitesByName<Site>,
    tablesRenamedTo: new Map() as SitesByName<Site>,
    tablesRenamedFrom: new Map() as SitesByName<Site>,
    viewsRenamedTo: new Map() as SitesByName<Site>,
    createdRelations: new Map() as SitesByName<Site>,
    columnRenames: new Map() as SitesByName<Site & { newName: string }>,
    alterations: new Map() as SitesByName<Site & { statement: ParsedStatement }>,
  };
  for (const statement of context.statements) {
    const statementIndex = statement.index;
    const drop = nodeAs(statement, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE') {
      for (const object of drop.objects ?? []) {
        const names = namesOf('List' in object ? object.List.items : undefined);
        const name = names.pop();
        if (name !== undefined) addSite(changes.droppedTables, { relation: { schema: names.pop(), name }, statementIndex });
      }
    }
    const rename = nodeAs(statement, 'RenameStmt');
    if (rename?.renameType === 'OBJECT_TABLE' && rename.newname !== undefined) {
      addSite(changes.tablesRenamedTo, { relation: { schema: rename.relation?.schemaname, name: rename.newname }, statementIndex });
      if (rename.relation?.relname !== undefined) addSite(changes.tablesRenamedFrom, { relation: { schema: rename.relation.schemaname, name: rename.relation.relname }, statementIndex });
    }
    if ((rename?.renameType === 'OBJECT_VIEW' || rename?.renameType === 'OBJECT_MATVIEW') && rename.newname !== undefined) {
      addSite(changes.viewsRenamedTo, { relation: { schema: rename.relation?.schemaname, name: rename.newname }, statementIndex });
    }
    if (rename?.renameType === 'OBJECT_COLUMN' && rename.newname !== undefined && rename.relation?.relname !== undefined) {
      addSite(changes.columnRenames, { relation: { schema: rename.relation.schemaname, name: rename.relation.relname }, statementIndex, newName: rename.newname });
    }
    const created = nodeAs(statement, 'CreateStmt')?.relation ?? nodeAs(statement, 'ViewStmt')?.view ?? nodeAs(statement, 'CreateTableAsStmt')?.into?.rel;
    if (created?.relname !== undefined) addSite(changes.createdRelations, { relation: { schema: created.schemaname, name: created.relname }, statementIndex });
    if (statement.kind === 'parsed' && nodeAs(statement, 'AlterTableStmt') && statement.targets[0]) {
      addSite(changes.alterations, { relation: statement.targets[0], statementIndex, statement });
    }
  }
  return changes;
});

/**
 * Whether a later statement of the statement's section drops `table`, or renames it without giving the old
 * name back: the running application then loses the whole table (drop-table or rename-table says so), so a
 * finding about one of its columns adds no breakage of its own, and expand/contract of that column cannot
 * work on a table being replaced. A recorded question (./recorded-questions.ts).
 */
export const replacesTableLater = aboutStatement('table dropped or renamed later', (statement: Statement, context: RuleContext, table: RelationName): boolean => {
  const end = sectionEnd(statement, context);
  if (dropsTable(context, table, statement.index + 1, end)) return true;
  const renamedAt = sitesOf(relationChanges(context).tablesRenamedFrom, table, statement.index + 1, end).map((site) => site.statementIndex);
  return renamedAt.some((at) => !createsRelationNamed(context, table, at + 1, end) && !renamesTableTo(context, table, at + 1, end));
});

/**
 * The index after the last statement of the statement's section: what a later statement may do to keep
 * running code working is looked for up to there, not in the down section, which undoes the up section.
 */
export function sectionEnd(statement: Statement, context: RuleContext): number {
  let end = statement.index + 1;
  while (end < context.statements.length && context.statements[end]!.section === statement.section) end++;
  return end;
}
