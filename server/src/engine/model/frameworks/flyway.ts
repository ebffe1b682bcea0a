import { baseName, wholeFile, type Framework } from './framework';

/**
 * Flyway: `V<version>[__<desc>].sql` (versioned), `R__<desc>.sql` (repeatable) and callbacks (`afterMigrate__<desc>.sql`) run in a transaction;
 * `U<version>__` scripts undo. A script's `.conf` file may set `executeInTransaction=false`, and a
 * script holding only statements that cannot run in a transaction runs without one.
 */
export const flyway: Framework = {
  id: 'flyway',
  afterCommit: 'new-transaction',
  name: 'Flyway',
  optOut: "Put the statement in a migration of its own (Flyway runs a script without a transaction when it holds only statements that cannot run in one), or set `executeInTransaction=false` in the script's .conf file.",
  recognise(file) {
    const name = baseName(file.path);
    // Versioned, undo, repeatable, or a callback such as afterMigrate__seed.sql.
    const match = /^(?:([VU])\d+(?:[._]\d+)*(?:__.+)?|R__.+|(?:before|after)[A-Z][A-Za-z]*(?:__.+)?)\.sql$/.exec(name);
    if (!match) return undefined;
    const kind = match[1]?.toUpperCase() === 'U' ? 'down' : 'up';
    if (/^\s*executeInTransaction\s*=\s*false\b/m.test(file.readSibling(`${name}.conf`) ?? '')) {
      return { evidence: `the file name ${name} and executeInTransaction=false in ${name}.conf`, sections: wholeFile(file.source, kind, 'none') };
    }
    if (file.allTransactionIncapable()) {
      return { evidence: `the file name ${name}; it holds only statements that cannot run in a transaction`, sections: wholeFile(file.source, kind, 'none') };
    }
    return { evidence: `the file name ${name}`, sections: wholeFile(file.source, kind, 'transaction') };
  },
};
