import { wholeFile, type Framework } from './framework';

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
};
