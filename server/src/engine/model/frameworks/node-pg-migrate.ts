import { markers, sectionsBetween, type Framework } from './framework';

/** node-pg-migrate SQL migrations: `-- Up Migration` / `-- Down Migration`, each migration in a transaction. */
export const nodePgMigrate: Framework = {
  id: 'node-pg-migrate',
  afterCommit: 'new-transaction',
  name: 'node-pg-migrate',
  optOut: 'Run it in a migration with `pgm.noTransaction()` (or run node-pg-migrate with `--no-single-transaction`).',
  recognise({ source }) {
    const found = markers(source, /^--\s*(Up|Down) Migration\b(.*)$/m);
    if (!found.some((marker) => marker.name === 'Up')) return undefined;
    return {
      evidence: 'the `-- Up Migration` marker',
      sections: sectionsBetween(source, found.map((at) => ({ at, kind: at.name === 'Up' ? 'up' : 'down', wrapping: 'transaction' }))),
    };
  },
};
