import type { Constraint, Node } from '@pgsql/types';
import { relationFromNames, sameRelation, type RelationName } from '../../model/relations';
import { nodeAs } from '../../model/statement';
import { perFile, type RuleContext } from '../rule';
import { constraintsOf, namesOf } from './constraints';

/** Built-in types a column is often declared with, that the grammar does not qualify with pg_catalog. */
const BUILT_IN_TYPES = new Set(['text', 'uuid', 'jsonb', 'json', 'date', 'timestamptz', 'bytea', 'inet', 'cidr', 'citext', 'xml', 'money', 'tsvector', 'serial', 'bigserial', 'smallserial', 'oid']);

/** What a domain's constraints make PostgreSQL do when a column of the domain is added. */
export interface DomainConstraints {
  domain: RelationName;
  /** A CHECK the domain declares (CREATE DOMAIN … CHECK, ALTER DOMAIN … ADD CONSTRAINT … CHECK). */
  check: boolean;
  notNull: boolean;
  /** The statement of this file that creates it; undefined for a domain of an earlier migration. */
  declaredAt: number | undefined;
}

/**
 * The constraints of the domain `typeNames` names, when a statement of the file before `beforeStatement`
 * creates it, or else when the earlier migrations of the file's set do (the schema catalogue,
 * `RuleContext.schema`).
 */
export function domainConstraintsOf(context: RuleContext, typeNames: readonly Node[] | undefined, beforeStatement: number): DomainConstraints | undefined {
  const names = namesOf(typeNames as Node[] | undefined);
  // `int`, `varchar(…)` … parse as pg_catalog names; `text`, `uuid` … as bare ones: no domain, no lookup.
  if (names[0] === 'pg_catalog' || (names.length === 1 && BUILT_IN_TYPES.has(names[0]!))) return undefined;
  const name = relationFromNames(names);
  if (!name) return undefined;
  return inThisFile(context, name, beforeStatement) ?? inEarlierMigrations(context, name, beforeStatement);
}

function inEarlierMigrations(context: RuleContext, name: RelationName, beforeStatement: number): DomainConstraints | undefined {
  const domain = context.schema.before(beforeStatement).domain(name);
  if (!domain) return undefined;
  return { domain: domain.name, check: domain.constraints.some((constraint) => constraint.kind === 'check'), notNull: domain.notNull, declaredAt: undefined };
}

function inThisFile(context: RuleContext, name: RelationName, beforeStatement: number): DomainConstraints | undefined {
  let found: DomainConstraints | undefined;
  for (const change of domainChanges(context).get(name.name) ?? []) {
    if (change.statementIndex >= beforeStatement || !sameRelation(change.domain, name)) continue;
    if (change.kind === 'create') found = { domain: change.domain, check: false, notNull: false, declaredAt: change.statementIndex };
    else if (change.kind === 'drop') found = undefined;
    if (!found) continue;
    found = { ...found, check: found.check || change.constraints.some((c) => c.contype === 'CONSTR_CHECK'), notNull: found.notNull || change.constraints.some((c) => c.contype === 'CONSTR_NOTNULL') };
  }
  return found;
}

interface DomainChange {
  kind: 'create' | 'add-constraint' | 'drop';
  domain: RelationName;
  constraints: Constraint[];
  statementIndex: number;
}

/** CREATE DOMAIN, ALTER DOMAIN … ADD CONSTRAINT and DROP DOMAIN of the file, by domain name, in statement order. */
const domainChanges = perFile((context: RuleContext) => {
  const byName = new Map<string, DomainChange[]>();
  const add = (change: DomainChange) => byName.set(change.domain.name, [...(byName.get(change.domain.name) ?? []), change]);
  for (const statement of context.statements) {
    const create = nodeAs(statement, 'CreateDomainStmt');
    const createdName = create && relationFromNames(namesOf(create.domainname));
    if (create && createdName) add({ kind: 'create', domain: createdName, constraints: constraintsOf(create.constraints), statementIndex: statement.index });
    const alter = nodeAs(statement, 'AlterDomainStmt');
    const alteredName = alter && relationFromNames(namesOf(alter.typeName));
    if (alter?.subtype === 'C' && alteredName) add({ kind: 'add-constraint', domain: alteredName, constraints: alter.def ? constraintsOf([alter.def]) : [], statementIndex: statement.index });
    if (alter?.subtype === 'O' && alteredName) add({ kind: 'add-constraint', domain: alteredName, constraints: [{ contype: 'CONSTR_NOTNULL' }], statementIndex: statement.index });
    const drop = nodeAs(statement, 'DropStmt');
    if (drop?.removeType === 'OBJECT_DOMAIN') {
      for (const object of drop.objects ?? []) {
        const typeName = 'TypeName' in object ? object.TypeName.names : undefined;
        const dropped = relationFromNames(namesOf(typeName));
        if (dropped) add({ kind: 'drop', domain: dropped, constraints: [], statementIndex: statement.index });
      }
    }
  }
  return byName;
});
