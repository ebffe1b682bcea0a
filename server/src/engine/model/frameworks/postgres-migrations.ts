import { wholeFile, type Framework } from './framework';

/** postgres-migrations (npm): numbered files, each in a transaction unless it starts with `-- postgres-migrations disable-transaction`. */
export const postgresMigrations: Framework = {
  id: 'postgres-migrations',
  afterCommit: 'new-transaction',
  name: 'postgres-migrations',
  optOut: 'Put the statement in a migration of its own whose first line is `-- postgres-migrations disable-transaction`.',
  recognise(file) {
    const disabled = /^--\s*postgres-migrations disable-transaction\b/m.test(file.source);
    if (!disabled) return undefined;
    return { evidence: 'the `-- postgres-migrations disable-transaction` comment', sections: wholeFile(file.source, 'up', 'none') };
  },
};
