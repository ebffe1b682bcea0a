import { wholeFile, type Framework } from './framework';

/** The Supabase CLI: `supabase/migrations/<timestamp>_<name>.sql`, each file one batch, which PostgreSQL runs as one transaction. */
export const supabase: Framework = {
  id: 'supabase',
  afterCommit: 'new-transaction',
  name: 'the Supabase CLI',
  optOut: 'The Supabase CLI runs each migration in a transaction: run this statement separately (e.g. with psql) after the migration.',
  recognise(file) {
    if (!/(^|\/)supabase\/migrations\/\d+_[^/]+\.sql$/.test(file.path)) return undefined;
    return { evidence: 'the path supabase/migrations/<timestamp>_<name>.sql', sections: wholeFile(file.source, 'up', 'transaction') };
  },
};
