import { nodeAs } from '../model/statement';
import type { Rule } from './rule';
import { EXPAND_CONTRACT, isDatabaseNewInFile, isRevertingMigration } from './support/breaking-changes';
import { quoteIdentifier } from './support/constraints';
import { leadingKeywords } from './support/keywords';

/** DROP DATABASE of a database the running application may still use. */
export const dropDatabase: Rule = {
  id: 'drop-database',
  severity: 'error',
  category: 'breaking-changes',
  docs: {
    summary: 'DROP DATABASE of an existing database: every application connected to it loses everything in it.',
    why:
      'A database is dropped with all its data, and cannot be dropped while anyone is connected to it (`WITH (FORCE)`, ' +
      'PostgreSQL 13+, terminates those connections instead). Every application still using it fails from then on. ' +
      'DROP DATABASE cannot run inside a transaction block either, which `concurrently-in-transaction` reports.',
    example: {
      bad: 'DROP DATABASE analytics;',
      good: '-- once nothing connects to analytics any more:\n-- lockguard-ignore drop-database: decommissioned in release N\nDROP DATABASE analytics;',
    },
    instead: EXPAND_CONTRACT,
  },
  facts: [],
  fixChecks: [],
  check(statement, context) {
    const drop = nodeAs(statement, 'DropdbStmt');
    if (drop?.dbname === undefined || isRevertingMigration(statement, context) || isDatabaseNewInFile(context, drop.dbname, statement.index)) return [];
    return [
      {
        message:
          `DROP DATABASE removes ${quoteIdentifier(drop.dbname)} and all its data: every application still using it fails from then on. ` +
          'Make sure nothing connects to it any more (and keep a backup); then say so with a lockguard-ignore reason.',
        range: leadingKeywords(statement, ['DATABASE']),
        noFixReason: 'Only the applications can stop using the database: retire them first, then drop it.',
        safeAlternative: 'Retire every user of the database first, keep a backup, then drop it.',
      },
    ];
  },
};
