import { nodeAs, type Statement } from '../model/statement';
import type { Rule, RuleContext } from './rule';
import { EXPAND_CONTRACT, isRevertingMigration, isSchemaNewInFile } from './support/breaking-changes';
import { namesOf, quoteIdentifier } from './support/constraints';
import { leadingKeywords } from './support/keywords';

/** DROP SCHEMA of a schema the running application may still use. */
export const dropSchema: Rule = {
  id: 'drop-schema',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'DROP SCHEMA of an existing schema: everything the running application uses in it is gone.',
    why:
      'The code running in production still names the schema\'s tables, views, functions and types: every query on ' +
      'them fails from the commit on, and with `CASCADE` all of them and their data are dropped at once (without ' +
      'it, the drop fails unless the schema is empty). Dropping the tables takes ACCESS EXCLUSIVE locks on each of ' +
      'them and on the tables their foreign keys reference. Not reported: `DROP SCHEMA IF EXISTS … CASCADE` of a ' +
      'schema no earlier migration of the set made or put anything in, when the file creates it again afterwards or ' +
      'the earlier migrations are known (a guard: what the migration tool keeps there, or leftovers of a failed first run).',
    example: {
      bad: 'DROP SCHEMA reporting CASCADE;',
      good: '-- once no code uses reporting any more (release N), in release N+1:\n-- lockguard-ignore drop-schema: unused since release N\nDROP SCHEMA reporting CASCADE;',
    },
    instead: EXPAND_CONTRACT,
  },
  facts: [],
  fixChecks: [],
  check(statement, context) {
    const drop = nodeAs(statement, 'DropStmt');
    // Without CASCADE PostgreSQL drops only an empty schema: nothing the application uses goes with it
    // (the file's own DROP TABLE … of what was inside are reported by their rules).
    if (drop?.removeType !== 'OBJECT_SCHEMA' || drop.behavior !== 'DROP_CASCADE' || isRevertingMigration(statement, context)) return [];
    const schemas = namesOf(drop.objects).filter(
      (schema) => !isSchemaNewInFile(context, schema, statement.index) && !(drop.missing_ok === true && isGuard(context, schema, statement.index)),
    );
    if (schemas.length === 0) return [];
    const cascade = ' CASCADE drops every table, view, function and type in it, with their data.';
    return [
      {
        message:
          `DROP SCHEMA removes ${schemas.map(quoteIdentifier).join(', ')}, which the application running now may still use: its queries on ` +
          `the objects inside fail as soon as this commits.${cascade} Stop using the schema in the code and deploy that first; drop it in a later migration.`,
        range: leadingKeywords(statement, ['SCHEMA']),
        noFixReason: 'Only the application can stop using the schema: remove its use, deploy, then drop it.',
        safeAlternative: 'Expand/contract: stop using the schema in the code, deploy, then drop it in a later migration.',
      },
    ];
  },
};

/**
 * Whether `DROP SCHEMA IF EXISTS s CASCADE` only clears a schema no migration of the set made or put
 * anything in (objects the file itself dropped before still count: they were the history's): the
 * first migration's setup idiom, when the file creates `s` afterwards; or, when the set's earlier
 * migrations are known, a schema the migration tool keeps outside them (lemmy's runner drops and
 * re-creates its schema `r` around every run).
 */
function isGuard(context: RuleContext, schema: string, statementIndex: number): boolean {
  if (context.schema.before(0).schema(schema)) return false;
  return isCreatedAfter(context.statements, schema, statementIndex) || context.options.priorSchema !== undefined;
}

/**
 * Whether a later statement of the file creates the schema again. With `DROP SCHEMA IF EXISTS s
 * CASCADE` of a schema no earlier migration created, this is the setup idiom of a first migration
 * (graphile-starter's): it clears a half-made database before building it, and no application uses
 * `s` yet.
 */
function isCreatedAfter(statements: readonly Statement[], schema: string, afterStatement: number): boolean {
  return statements.slice(afterStatement + 1).some((statement) => {
    const create = nodeAs(statement, 'CreateSchemaStmt');
    return (create?.schemaname ?? create?.authrole?.rolename) === schema;
  });
}
