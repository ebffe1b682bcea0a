import { baseName, wholeFile, type Framework } from './framework';
import { freeDieselVersionAfter, statementSql, undoSql } from './next-migration';

/** diesel: `migrations/<version>_<name>/up.sql` and `down.sql`, each in a transaction unless `metadata.toml` says `run_in_transaction = false`. */
export const diesel: Framework = {
  id: 'diesel',
  afterCommit: 'new-transaction',
  name: 'diesel',
  optOut: "Add `run_in_transaction = false` to this migration's metadata.toml, with the statement in a migration of its own.",
  recognise(file) {
    if (!/(^|\/)migrations\/[^/]+\/(up|down)\.sql$/.test(file.path)) return undefined;
    const kind = baseName(file.path) === 'up.sql' ? 'up' : 'down';
    if (/run_in_transaction\s*=\s*false/.test(file.readSibling('metadata.toml') ?? '')) {
      return { evidence: 'the path migrations/<name>/up.sql and run_in_transaction = false in metadata.toml', sections: wholeFile(file.source, kind, 'none') };
    }
    return { evidence: `the path migrations/<name>/${baseName(file.path)}`, sections: wholeFile(file.source, kind, 'transaction') };
  },
  newMigration(file, statement) {
    if (baseName(file.path) !== 'up.sql') return 'Lockguard moves statements out of up.sql only.';
    const version = /(?:^|\/)([\d-]+)_[^/]+\/up\.sql$/.exec(file.path)?.[1];
    if (version === undefined) return 'The migration folder does not start with a diesel version, so Lockguard cannot name the next migration.';
    const next = freeDieselVersionAfter(version, file.siblings('..'));
    if (next === undefined) return `The migration's version ${version} is none of diesel's formats (YYYY-MM-DD-HHMMSS, YYYY-MM-DD-HHMMSS-NNNN or digits), so Lockguard cannot name the next migration.`;
    const folder = `../${next}_${statement.name}`;
    return {
      files: [
        { path: `${folder}/up.sql`, text: statementSql(statement) },
        { path: `${folder}/down.sql`, text: undoSql(statement) },
        ...(statement.outsideTransaction ? [{ path: `${folder}/metadata.toml`, text: 'run_in_transaction = false\n' }] : []),
      ],
    };
  },
};
