import { baseName, wholeFile, type Framework } from './framework';
import { statementSql } from './next-migration';

/**
 * The events Flyway names callback scripts after (`afterMigrate`, `beforeEachMigrateStatement`,
 * `afterCleanError`, `createSchema`, …: Flyway's callback Event enum). Other tools' hook files, such as
 * graphile-migrate's `afterReset.sql`, are not Flyway's.
 */
const CALLBACK_EVENT =
  /(?:(?:before|after)(?:Each)?(?:Migrate|Undo|Clean|Validate|Baseline|Repair|Info|Connect|Repeatables|Versioned|CreateSchema)(?:Statement)?(?:Applied|OperationFinish)?(?:Error)?|createSchema)/;

/** A versioned (`V`), undo (`U`), repeatable (`R__`) or callback script; group 1 is `V` or `U`. */
const SCRIPT_NAME = new RegExp(`^(?:([VU])\\d+(?:[._]\\d+)*(?:__.+)?|R__.+|${CALLBACK_EVENT.source}(?:__.+)?)\\.sql$`);

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
    const match = SCRIPT_NAME.exec(name);
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
  newMigration(file, statement) {
    const match = /^V(\d+(?:[._]\d+)*)__.+\.sql$/.exec(baseName(file.path));
    if (!match) return 'Only a versioned migration (`V<version>__<description>.sql`) can be followed by a new one.';
    const next = flywayVersionAfter(match[1]!, file.siblings());
    const name = `V${next}__${statement.name}.sql`;
    // The .conf makes it certain: Flyway's own list of non-transactional statements is shorter than PostgreSQL's.
    const conf = statement.outsideTransaction ? [{ path: `${name}.conf`, text: 'executeInTransaction=false\n' }] : [];
    return { files: [{ path: name, text: statementSql(statement) }, ...conf] };
  },
  withoutTransaction(file) {
    const conf = `${baseName(file.path)}.conf`;
    if (file.siblings().includes(conf)) return `Add \`executeInTransaction=false\` to ${conf}.`;
    return { inserts: [], files: [{ path: conf, text: 'executeInTransaction=false\n' }], how: `\`executeInTransaction=false\` in ${conf}` };
  },
};

/**
 * The version just after `version`: its last part plus one when no sibling's version lies in
 * between, else a sub-version (`3` → `3.1`, separator kept) that sorts before the next one.
 */
function flywayVersionAfter(version: string, siblings: readonly string[]): string {
  const separator = version.includes('.') ? '.' : '_';
  const parts = version.split(/[._]/).map(Number);
  const taken = siblings.flatMap((name) => {
    const match = /^V(\d+(?:[._]\d+)*)__/.exec(name);
    return match ? [match[1]!.split(/[._]/).map(Number)] : [];
  });
  const bumped = [...parts.slice(0, -1), parts[parts.length - 1]! + 1];
  if (!taken.some((other) => compareVersions(parts, other) < 0 && compareVersions(other, bumped) <= 0)) return bumped.join(separator);
  let sub = [...parts, 1];
  while (taken.some((other) => compareVersions(other, sub) === 0)) sub = [...parts, sub[sub.length - 1]! + 1];
  return sub.join(separator);
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
