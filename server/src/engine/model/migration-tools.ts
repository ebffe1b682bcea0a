import { nonTransactionalForm } from '../knowledge/non-transactional';
import type { LintOptions } from '../options';
import type { Statement } from './statement';

/** A migration tool that may run a whole file inside one transaction, and how to opt out of it. */
export interface MigrationTool {
  name: string;
  /** What the user does to run a statement outside the tool's transaction. */
  optOut: string;
}

/**
 * Whether this file runs inside one transaction the file itself does not open, and which tool opens
 * it. The statements matter for tools that send the whole file as one multi-statement query
 * (PostgreSQL runs it in one implicit transaction, but a single statement on its own) and for
 * Flyway, which runs a script outside a transaction when all its statements require that.
 */
export function implicitTransaction(source: string, options: LintOptions, statements: readonly Statement[]): MigrationTool | undefined {
  if (options.transactionMode === 'never') return undefined;
  if (options.transactionMode === 'always') return { name: 'The migration runner (transaction mode "always")', optOut: 'Run this statement in a migration that is not wrapped in a transaction, or set the transaction mode to "never" if your runner does not wrap files.' };
  return detectTool(source, options, statements);
}

function detectTool(source: string, options: LintOptions, statements: readonly Statement[]): MigrationTool | undefined {
  const statementCount = statements.filter((statement) => statement.kind !== 'meta-command').length;
  const path = (options.filePath ?? '').replace(/\\/g, '/');
  const file = path.slice(path.lastIndexOf('/') + 1);

  // dbmate: `-- migrate:up` sections run in a transaction unless marked `transaction:false`.
  const dbmate = /^--\s*migrate:up\b(.*)$/m.exec(source);
  if (dbmate) {
    if (/transaction:false/.test(dbmate[1]!)) return undefined;
    return { name: 'dbmate', optOut: 'Mark the migration `-- migrate:up transaction:false` (dbmate then runs it outside a transaction).' };
  }
  // Drizzle's migrator runs all pending migrations in one transaction.
  if (source.includes('--> statement-breakpoint')) {
    return { name: 'Drizzle', optOut: "Drizzle's migrator always uses a transaction: run this statement outside it (e.g. a separate script or psql step)." };
  }
  // node-pg-migrate SQL migrations: transaction per migration unless disabled.
  if (/^--\s*Up Migration\b/m.test(source)) {
    return { name: 'node-pg-migrate', optOut: 'Run it in a migration with `pgm.noTransaction()` (or `--no-single-transaction` / `--no-check-order` as your setup needs).' };
  }
  // Flyway: V1__x.sql, V1_2__x.sql, R__x.sql. Flyway runs a script outside a transaction when all its statements
  // need that; a script that mixes both kinds fails (unless `mixed` is on), which the CONCURRENTLY rules report.
  if (/^[VUR]\d*(?:[._]\d+)*__.+\.sql$/i.test(file)) {
    if (statements.every((statement) => statement.kind !== 'parsed' || nonTransactionalForm(statement, options.pgVersion))) return undefined;
    return { name: 'Flyway', optOut: 'Put the statement in a migration of its own (Flyway runs a script without a transaction when it contains only statements that cannot run in one), or set `executeInTransaction=false` in the script\'s .conf file.' };
  }
  // diesel: migrations/<version>_<name>/up.sql, in a transaction unless metadata.toml says otherwise.
  if (/(^|\/)migrations\/[^/]+\/(up|down)\.sql$/.test(path)) {
    if (/run_in_transaction\s*=\s*false/.test(options.readSibling?.('metadata.toml') ?? '')) return undefined;
    return { name: 'diesel', optOut: 'Add `run_in_transaction = false` to this migration\'s metadata.toml, with the statement in a migration of its own.' };
  }
  // sqitch runs deploy scripts as written: their own BEGIN … COMMIT, if any, is what counts.
  if (/(^|\/)(deploy|revert|verify)\/[^/]+\.sql$/.test(path) && options.readSibling?.('../sqitch.plan') !== undefined) return undefined;
  // Supabase CLI: supabase/migrations/<timestamp>_<name>.sql, each file in a transaction.
  if (/(^|\/)supabase\/migrations\/\d+_[^/]+\.sql$/.test(path)) {
    return { name: 'the Supabase CLI', optOut: 'The Supabase CLI runs each migration in a transaction: run this statement separately (e.g. with psql) after the migration.' };
  }
  // Prisma and golang-migrate send the file as one multi-statement query: an implicit transaction when it holds
  // more than one statement.
  if (/(^|\/)migrations\/\d{14}_[^/]+\/migration\.sql$/.test(path) && statementCount > 1) {
    return { name: 'Prisma', optOut: 'Move the statement into a migration of its own: Prisma sends a single-statement migration without an implicit transaction.' };
  }
  if (/^\d+_.+\.(up|down)\.sql$/.test(file) && statementCount > 1) {
    return { name: 'golang-migrate', optOut: 'Move the statement into a migration file of its own: a single-statement file runs outside a transaction (or enable x-multi-statement).' };
  }
  return undefined;
}
