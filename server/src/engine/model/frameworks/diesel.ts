import { baseName, wholeFile, type Framework } from './framework';

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
};
