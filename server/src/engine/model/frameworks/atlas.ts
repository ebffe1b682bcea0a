import { baseName, wholeFile, type Framework } from './framework';
import { freeVersionAfter, statementSql, versionTaken } from './next-migration';

/** Atlas versioned migrations: a folder with `atlas.sum`; one transaction per file unless the file says `-- atlas:txmode none`. */
export const atlas: Framework = {
  id: 'atlas',
  afterCommit: 'autocommit',
  name: 'Atlas',
  optOut: 'Put the statement in a migration file of its own that starts with `-- atlas:txmode none`.',
  recognise(file) {
    if (!baseName(file.path).endsWith('.sql') || file.readSibling('atlas.sum') === undefined) return undefined;
    const mode = /^--\s*atlas:txmode\s+(\w+)/m.exec(file.source)?.[1];
    if (mode === 'none') return { evidence: 'atlas.sum beside the file and `-- atlas:txmode none`', sections: wholeFile(file.source, 'up', 'none') };
    return { evidence: 'atlas.sum beside the file', sections: wholeFile(file.source, 'up', 'transaction') };
  },
  newMigration(file, statement) {
    const version = /^(\d+)_?.*\.sql$/.exec(baseName(file.path))?.[1];
    if (version === undefined) return 'The file name does not start with an Atlas version, so Lockguard cannot name the next migration.';
    const next = freeVersionAfter(version, versionTaken(file.siblings()));
    const header = statement.outsideTransaction ? '-- atlas:txmode none\n\n' : '';
    return { files: [{ path: `${next}_${statement.name}.sql`, text: `${header}${statementSql(statement)}` }], note: 'then run `atlas migrate hash` to update atlas.sum' };
  },
  // A file directive: in the header, which a blank line ends (joined to the header when the file has one).
  withoutTransaction({ source }) {
    const mode = /^--\s*atlas:txmode\s+(\w+)/m.exec(source);
    if (mode) return `Change \`${mode[0]}\` to \`-- atlas:txmode none\`.`;
    const header = /^--\s*atlas:/.test(source);
    return { inserts: [{ at: 0, text: header ? '-- atlas:txmode none\n' : '-- atlas:txmode none\n\n' }], files: [], how: '`-- atlas:txmode none`', note: 'then run `atlas migrate hash` to update atlas.sum' };
  },
};
