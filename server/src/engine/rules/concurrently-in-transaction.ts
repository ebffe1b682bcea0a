import { nonTransactionalForm } from '../knowledge/non-transactional';
import { runOutsideTransaction } from './fixes/new-migration';
import { PROBE_TABLE_SETUP, refusedInTransaction } from './probe-fixtures';
import type { Rule } from './rule';
import { sectionOf } from '../model/migration';

/**
 * The CONCURRENTLY forms refuse to run inside a transaction block (SQLSTATE 25001), so a migration
 * that wraps one in BEGIN … COMMIT fails when it is deployed, after the earlier statements ran.
 */
export const concurrentlyInTransaction: Rule = {
  id: 'concurrently-in-transaction',
  severity: 'error',
  category: 'transactions',
  docs: {
    summary: 'CONCURRENTLY forms, VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM and other statements that fail inside a transaction block, explicit or opened by the migration tool.',
    why:
      'PostgreSQL refuses to run the CONCURRENTLY forms inside a transaction block: the statement fails with ' +
      '`ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block` (SQLSTATE 25001) and the ' +
      'migration stops half-way. They commit internally between their phases, which a surrounding transaction ' +
      'would make impossible. The same holds for REINDEX SCHEMA, DATABASE and SYSTEM (which commit after each table), ' +
      'VACUUM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER SYSTEM ' +
      'and, before PostgreSQL 12, ALTER TYPE … ADD VALUE. The transaction may be one the migration tool opens: ' +
      'dbmate, diesel, Drizzle, node-pg-migrate and the Supabase CLI wrap each migration in one, and Prisma and ' +
      'golang-migrate send a multi-statement file as one query, which PostgreSQL runs as one transaction.',
    example: {
      bad: 'BEGIN;\nCREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);\nCOMMIT;',
      good: 'BEGIN;\n-- other changes\nCOMMIT;\n\nCREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);',
    },
    instead:
      'Run the statement outside any transaction block: after the COMMIT, or in a migration of its own. Many ' +
      'migration tools wrap each file in a transaction; disable that for this migration (for example ' +
      "golang-migrate's separate file, dbmate's `transaction:false`, Flyway's non-transactional statements).",
  },
  facts: [
    refusedInTransaction('CREATE INDEX CONCURRENTLY', 'https://www.postgresql.org/docs/current/sql-createindex.html', {
      setup: PROBE_TABLE_SETUP,
      statement: 'CREATE INDEX CONCURRENTLY lock_probe_customer_idx ON lock_probe (customer_id)',
    }, { from: 9 }),
    refusedInTransaction('DROP INDEX CONCURRENTLY', 'https://www.postgresql.org/docs/current/sql-dropindex.html', {
      setup: [...PROBE_TABLE_SETUP, 'CREATE INDEX lock_probe_customer_idx ON lock_probe (customer_id)'],
      statement: 'DROP INDEX CONCURRENTLY lock_probe_customer_idx',
    }, { from: 9 }),
    refusedInTransaction('REINDEX CONCURRENTLY', 'https://www.postgresql.org/docs/current/sql-reindex.html', {
      setup: PROBE_TABLE_SETUP,
      statement: 'REINDEX TABLE CONCURRENTLY lock_probe',
    }, { from: 12 }),
    // Refused before the name is even looked at: the probe never reindexes anything.
    // REINDEX SCHEMA exists from PostgreSQL 9.5.
    refusedInTransaction('REINDEX SCHEMA', 'https://www.postgresql.org/docs/current/sql-reindex.html', { setup: [], statement: 'REINDEX SCHEMA public' }, { from: 10 }),
    refusedInTransaction('REINDEX DATABASE', 'https://www.postgresql.org/docs/current/sql-reindex.html', { setup: [], statement: 'REINDEX DATABASE postgres' }, { from: 9 }),
    // Before PostgreSQL 16 REINDEX SYSTEM must name the (current) database; the test servers' is `postgres`.
    refusedInTransaction('REINDEX SYSTEM', 'https://www.postgresql.org/docs/current/sql-reindex.html', { setup: [], statement: 'REINDEX SYSTEM postgres' }, { from: 9 }),
  ],
  fixChecks: [
    {
      setup: PROBE_TABLE_SETUP,
      migration: 'BEGIN;\nALTER TABLE lock_probe ADD COLUMN note text;\nCREATE INDEX CONCURRENTLY lock_probe_customer_idx ON lock_probe (customer_id);\nCOMMIT;\n',
    },
  ],
  check(statement, context) {
    if (statement.transaction.kind === 'autocommit') return [];
    const form = nonTransactionalForm(statement, context.options.pgVersion);
    if (!form) return [];
    const oneQuery = sectionOf(context.migration, statement)?.wrapping === 'one-query';
    const runs = oneQuery ? 'sends this file as one query, which PostgreSQL runs as one transaction' : 'runs this file in a transaction';
    const where = statement.transaction.kind === 'implicit' ? `${statement.transaction.tool.name} ${runs}, and ${form}` : form;
    const keyword = statement.tokens.find((token) => token.type === 'word' && token.value === 'CONCURRENTLY');
    const report = {
      message:
        `${where} cannot run inside a transaction block: PostgreSQL rejects it (SQLSTATE 25001) and the migration ` +
        `fails at this statement. ${statement.transaction.kind === 'implicit' ? statement.transaction.tool.optOut : 'Move it after the COMMIT.'}`,
      range: keyword ?? statement.range,
      safeAlternative: `Run ${form} outside the transaction block, after COMMIT or in a migration of its own.`,
    };
    const moved = runOutsideTransaction(statement, context, { text: statement.text, title: `Move ${form}`, outsideTransaction: true });
    return typeof moved === 'string' ? [{ ...report, noFixReason: moved }] : [{ ...report, fixes: [moved] }];
  },
};
