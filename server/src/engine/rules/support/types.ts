import { nodeAs } from '../../model/statement';
import type { RuleContext } from '../rule';
import { namesOf } from './constraints';

/** Whether two written type names (`[schema, name]` or `[name]`) can mean the same type; an unqualified one matches any schema. */
export function sameTypeName(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || a.at(-1) !== b.at(-1)) return false;
  return a.length === 1 || b.length === 1 || a[0] === b[0];
}

/**
 * Whether an earlier statement of the file creates the enum or domain type, or renames a type to it:
 * no running code or existing column uses it yet.
 */
export function isTypeNewInFile(context: RuleContext, type: readonly string[], beforeStatement: number): boolean {
  return context.statements.slice(0, beforeStatement).some((statement) => {
    const created = namesOf(nodeAs(statement, 'CreateEnumStmt')?.typeName ?? nodeAs(statement, 'CreateDomainStmt')?.domainname);
    if (sameTypeName(created, type)) return true;
    const rename = nodeAs(statement, 'RenameStmt');
    return (rename?.renameType === 'OBJECT_TYPE' || rename?.renameType === 'OBJECT_DOMAIN') && rename.newname !== undefined && type.at(-1) === rename.newname;
  });
}
