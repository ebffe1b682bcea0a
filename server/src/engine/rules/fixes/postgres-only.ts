import { baseName } from '../../model/frameworks/framework';
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
export function postgresOnlyRewriteRefused(context: RuleContext, rewrite: string): string | undefined {
  if (!isPortablePopMigration(context)) return undefined;
  const counterpart = postgresCounterpart(
    baseName((context.options.filePath ?? '').replace(/\\/g, '/')),
    context.options.listSiblings?.() ?? [],
  );
  if (!counterpart) return undefined;
  const runsOn = `This migration names no database, so popx runs it on every database the project supports that has no file of its own for version ${counterpart.version}`;
  if (counterpart.existing) return `${runsOn}. On PostgreSQL, popx runs ${counterpart.existing} instead: make the change there.`;
  const copy = `${runsOn}, not only on PostgreSQL, and ${rewrite} is PostgreSQL's own syntax (SQLite rejects it). Make the change in a copy of this file named ${counterpart.name}: popx runs that copy instead of this file on PostgreSQL, and this file on the other databases.`;
  // By the name, as popx reads it: without `.autocommit.` popx runs the file (and the copy) in a transaction.
  if (counterpart.name.includes('.autocommit.')) return copy;
  return `${copy} ${rewrite} cannot run in the copy's transaction: move it from the copy into a PostgreSQL migration of its own, named \`<version>_<name>.postgres.autocommit.up.sql\`.`;
}
