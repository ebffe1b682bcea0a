import { wholeFile, type Framework } from './framework';
import { freeVersionAfter, statementSql, versionTaken } from './next-migration';

/** Prisma Migrate: `migrations/<14 digits>_<name>/migration.sql`, sent as one query (an implicit transaction when it holds several statements). */
export const prisma: Framework = {
  id: 'prisma',
  afterCommit: 'new-transaction',
  name: 'Prisma',
  optOut: 'Move the statement into a migration of its own: Prisma sends a single-statement migration without an implicit transaction.',
  recognise(file) {
    if (!/(^|\/)migrations\/\d{14}_[^/]+\/migration\.sql$/.test(file.path)) return undefined;
    return { evidence: 'the path migrations/<timestamp>_<name>/migration.sql', sections: wholeFile(file.source, 'up', 'one-query') };
  },
  // A single-statement migration is one query without an implicit transaction.
  newMigration(file, statement) {
    const version = /(\d{14})_[^/]+\/migration\.sql$/.exec(file.path)![1]!;
    const next = freeVersionAfter(version, versionTaken(file.siblings('..')));
    return { files: [{ path: `../${next}_${statement.name}/migration.sql`, text: statementSql(statement) }] };
  },
};
