import { baseName, wholeFile, type Framework } from './framework';
import { freeDieselVersionAfter, statementSql, undoSql } from './next-migration';

/**
 * diesel: `migrations/<version>_<name>/up.sql` and `down.sql`, each sent as one query (`batch_execute`),
 * in a transaction unless `metadata.toml` says `run_in_transaction = false` — then the one query still
 * makes several statements one implicit transaction.
 */
export const diesel: Framework = {
  id: 'diesel',
  afterCommit: 'new-transaction',
  name: 'diesel',
  optOut: "Run the statement as the only one of a migration whose metadata.toml says `run_in_transaction = false` (diesel sends up.sql as one query).",
  recognise(file) {
    if (!/(^|\/)migrations\/[^/]+\/(up|down)\.sql$/.test(file.path)) return undefined;
    const kind = baseName(file.path) === 'up.sql' ? 'up' : 'down';
    if (/run_in_transaction\s*=\s*false/.test(file.readSibling('metadata.toml') ?? '')) {
      return { evidence: 'the path migrations/<name>/up.sql and run_in_transaction = false in metadata.toml', sections: wholeFile(file.source, kind, 'one-query') };
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
  withoutTransaction(file) {
    if (baseName(file.path) !== 'up.sql') return 'Lockguard changes how up.sql runs only.';
    if (file.siblings().includes('metadata.toml')) return "Add `run_in_transaction = false` to this migration's metadata.toml.";
    return { inserts: [], files: [{ path: 'metadata.toml', text: 'run_in_transaction = false\n' }], how: "`run_in_transaction = false` in its metadata.toml" };
  },
};
