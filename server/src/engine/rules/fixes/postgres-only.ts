import { baseName } from '../../model/frameworks/framework';
import type { Statement } from '../../model/statement';
import { postgresCounterpart } from '../../model/frameworks/pop';
import type { RuleContext } from '../rule';
import { isPortablePopMigration } from '../support/portable-sql';

/**
 * Why a rewrite into PostgreSQL's own syntax (`DROP INDEX CONCURRENTLY`, …) is not offered in a
 * pop/popx migration named without a database (support/portable-sql.ts): popx runs it on the project's
 * other databases too, where the rewrite is a syntax error (SQLite's parser rejects CONCURRENTLY). The
 * way out is a PostgreSQL copy of the file, which popx runs instead of it on PostgreSQL; Lockguard
 * does not write it, since the finding stays on this file. Undefined for any other file.
 */
export function postgresOnlyRewriteRefused(statement: Statement, context: RuleContext, rewrite: string): string | undefined {
  if (!isPortablePopMigration(context)) return undefined;
  const counterpart = postgresCounterpart(
    baseName((context.options.filePath ?? '').replace(/\\/g, '/')),
    context.options.listSiblings?.() ?? [],
  );
  if (!counterpart) return undefined;
  const runsOn = `This migration names no database, so popx runs it on every database the project supports that has no file of its own for version ${counterpart.version}`;
  if (counterpart.existing) return `${runsOn}. On PostgreSQL, popx runs ${counterpart.existing} instead: make the change there.`;
  const copy = `${runsOn}, not only on PostgreSQL, and ${rewrite} is PostgreSQL's own syntax (SQLite rejects it). Make the change in a copy of this file named ${counterpart.name}: popx runs that copy instead of this file on PostgreSQL, and this file on the other databases.`;
  // The copy runs its statements as this file does: popx reads the transaction from the name, and
  // sends an `.autocommit.` migration as one query, one implicit transaction when it holds several.
  if (statement.transaction.kind === 'autocommit') return copy;
  const why = counterpart.name.includes('.autocommit.')
    ? 'popx sends the copy as one query, which PostgreSQL runs as one transaction when it holds more than one statement'
    : "popx runs the copy in a transaction";
  return `${copy} But ${rewrite} cannot run there (${why}): move it from the copy into a PostgreSQL migration of its own, alone, named \`<version>_<name>.postgres.autocommit.up.sql\`.`;
}
