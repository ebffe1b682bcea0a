import { baseName, wholeFile, type Framework } from './framework';

/**
 * Authelia's storage migrations: `internal/storage/migrations/postgres/V<NNNN>.<Name>.(up|down).sql`
 * (older releases: `V<NNNN>.<Name>.postgres.(up|down).sql`, and `.all.` for every database). On
 * PostgreSQL, Authelia opens one transaction for all pending migrations, sends each file as one query
 * inside it and commits after the last (docs/frameworks.md, "Authelia").
 */
export const authelia: Framework = {
  id: 'authelia',
  afterCommit: 'new-transaction',
  name: 'Authelia',
  oneTransactionForAllPending: true,
  optOut:
    'Authelia runs every pending migration in one transaction and has no way to run one outside it: run this statement by hand ' +
    '(psql) before or after the upgrade instead.',
  recognise(file) {
    const match = /^V\d+\.\w+\.(?:(postgres|all)\.)?(up|down)\.sql$/.exec(baseName(file.path));
    if (!match) return undefined;
    const inPostgresFolder = /(^|\/)migrations\/postgres\/[^/]+$/.test(file.path);
    if (!inPostgresFolder && match[1] === undefined) return undefined;
    return { evidence: `the file name ${baseName(file.path)} (Authelia's storage migrations)`, sections: wholeFile(file.source, match[2] === 'up' ? 'up' : 'down', 'transaction') };
  },
};
