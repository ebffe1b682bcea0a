import type { AlterDomainStmt } from '@pgsql/types';
import { blockedOperations } from '../locks/lock-modes';
import { nodeAs } from '../model/statement';
import type { LockFact, Rule } from './rule';
import { namesOf } from './support/constraints';
import { firstKeyword } from './support/keywords';
import { isTypeNewInFile } from './support/types';

const DOCS_ALTER_DOMAIN = 'https://www.postgresql.org/docs/current/sql-alterdomain.html';
const PROBE_DOMAIN_SETUP = [
  'CREATE DOMAIN lock_probe_amount AS int',
  'CREATE TABLE lock_probe_payments (id int, amount lock_probe_amount)',
  'INSERT INTO lock_probe_payments SELECT g, g FROM generate_series(1, 1000) g',
];
const ADD_CHECK = 'ALTER DOMAIN lock_probe_amount ADD CONSTRAINT lock_probe_amount_check CHECK (VALUE > 0)';

/**
 * ALTER DOMAIN … ADD CONSTRAINT (and SET NOT NULL) checks every column of every table that uses the domain,
 * holding a SHARE lock on each table while it scans: their writes wait.
 */
export const alterDomainAddConstraint: Rule = {
  id: 'alter-domain-add-constraint',
  severity: 'error',
  category: 'rewrites',
  docs: {
    summary: 'ALTER DOMAIN … ADD CONSTRAINT or SET NOT NULL scans every table using the domain while their writes wait.',
    why:
      'A constraint added to a domain must hold for every stored value of that type. PostgreSQL checks every column of ' +
      'every table that uses the domain, holding a SHARE lock on each table for the scan: inserts, updates and deletes ' +
      'on all of them wait until it ends. Which tables use the domain is not in the migration, so the blast radius is ' +
      'easy to underestimate.',
    example: {
      bad: 'ALTER DOMAIN positive_amount ADD CONSTRAINT positive_amount_check CHECK (VALUE > 0);',
      good:
        '-- a CHECK on each column, validated without blocking writes\nALTER TABLE payments ADD CONSTRAINT payments_amount_check CHECK (amount > 0) NOT VALID;\n' +
        'ALTER TABLE payments VALIDATE CONSTRAINT payments_amount_check;',
    },
    instead:
      'Add the rule as table CHECK constraints instead: `ADD CONSTRAINT … CHECK (…) NOT VALID`, then `VALIDATE CONSTRAINT` ' +
      'in its own transaction, which scans under SHARE UPDATE EXCLUSIVE so reads and writes continue. A domain CHECK can ' +
      'be added `NOT VALID` too (no scan), but its `ALTER DOMAIN … VALIDATE CONSTRAINT` scans under the same SHARE lock: ' +
      'writes still wait. Domains created earlier in the same migration are exempt.',
  },
  facts: [
    domainFact('ALTER DOMAIN domain ADD CONSTRAINT … CHECK (…)', ADD_CHECK, PROBE_DOMAIN_SETUP),
    domainFact('ALTER DOMAIN domain SET NOT NULL', 'ALTER DOMAIN lock_probe_amount SET NOT NULL', PROBE_DOMAIN_SETUP),
    domainFact('ALTER DOMAIN domain VALIDATE CONSTRAINT … (after ADD … NOT VALID)', 'ALTER DOMAIN lock_probe_amount VALIDATE CONSTRAINT lock_probe_amount_check', [
      ...PROBE_DOMAIN_SETUP,
      `${ADD_CHECK} NOT VALID`,
    ]),
  ],
  fixChecks: [],
  check(statement, context) {
    const alter = nodeAs(statement, 'AlterDomainStmt');
    if (!alter || !scansColumns(alter)) return [];
    const domain = namesOf(alter.typeName);
    if (isTypeNewInFile(context, domain, statement.index)) return [];
    const keyword = firstKeyword(statement, [alter.subtype === 'O' ? 'SET' : 'ADD']);
    const name = domain.join('.');
    return [
      {
        message:
          `This checks every stored value of domain ${name}: PostgreSQL scans each table with a column of that type, holding a SHARE lock ` +
          'on it, so inserts, updates and deletes on all of them wait until the scans end. Add the rule as NOT VALID CHECK constraints on ' +
          'the tables instead and VALIDATE them in their own transactions (reads and writes continue).',
        range: keyword ? { start: keyword.start, end: statement.range.end } : statement.range,
        noFixReason: 'Which tables use the domain is not in the migration; a domain constraint has no validation that lets writes continue.',
        safeAlternative: 'ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT VALID on each column, then VALIDATE CONSTRAINT (reads and writes continue).',
      },
    ];
  },
};

/** ADD CONSTRAINT (CHECK or NOT NULL) without NOT VALID, SET NOT NULL and VALIDATE CONSTRAINT check the stored values. */
function scansColumns(alter: AlterDomainStmt): boolean {
  if (alter.subtype === 'O' || alter.subtype === 'V') return true;
  const constraint = alter.subtype === 'C' && alter.def && 'Constraint' in alter.def ? alter.def.Constraint : undefined;
  return constraint !== undefined && !constraint.skip_validation;
}

function domainFact(statement: string, probe: string, setup: readonly string[]): LockFact {
  return {
    kind: 'lock',
    statement,
    mode: 'SHARE',
    on: 'each table with a column of the domain, scanned',
    blocks: blockedOperations('SHARE'),
    rewrite: false,
    fullScan: true,
    versions: { from: 10 },
    source: DOCS_ALTER_DOMAIN,
    probe: { setup, statement: probe, relation: 'lock_probe_payments' },
  };
}
