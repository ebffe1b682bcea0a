import { wholeFile, type Framework } from './framework';

/** Drizzle: drizzle-kit's files (`--> statement-breakpoint`, `meta/_journal.json`), all pending ones run in one transaction by the migrator. */
export const drizzle: Framework = {
  id: 'drizzle',
  afterCommit: 'autocommit',
  name: 'Drizzle',
  oneTransactionForAllPending: true,
  optOut: "Drizzle's migrator always uses a transaction: run this statement outside it (e.g. a separate script or psql step).",
  recognise(file) {
    const breakpoints = file.source.includes('--> statement-breakpoint');
    if (!breakpoints && file.readSibling('meta/_journal.json') === undefined) return undefined;
    return { evidence: breakpoints ? 'the `--> statement-breakpoint` markers' : 'meta/_journal.json beside the file', sections: wholeFile(file.source, 'up', 'transaction') };
  },
};
