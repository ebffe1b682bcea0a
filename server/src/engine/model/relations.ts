import type { RangeVar } from '@pgsql/types';
import { movedRange } from '../text/moved';
import type { OffsetRange } from '../text/positions';

/** A table, index or view named by a statement. Names are as PostgreSQL resolves them (unquoted → lower case). */
export interface RelationName {
  schema: string | undefined;
  name: string;
}

export interface RelationRef extends RelationName {
  /** Where the name is written, when the parser reports it. */
  range: OffsetRange | undefined;
}

export function relationFromRangeVar(rangeVar: RangeVar, locate: (byteLocation: number) => number): RelationRef {
  const start = rangeVar.location !== undefined && rangeVar.location >= 0 ? locate(rangeVar.location) : undefined;
  return {
    schema: rangeVar.schemaname,
    name: rangeVar.relname ?? '',
    range: start === undefined ? undefined : { start, end: start },
  };
}

/** A name whose schema is known: where PostgreSQL resolved (or created) the object. */
export interface QualifiedName extends RelationName {
  schema: string;
}

/** A map key for a qualified name (schema and name cannot hold a NUL character). */
export const qualifiedKey = ({ schema, name }: QualifiedName): string => `${schema}\0${name}`;

/** The names of a dotted list of String nodes (`schema.name`), as a relation; undefined for longer or empty lists. */
export function relationFromNames(names: readonly string[]): RelationName | undefined {
  if (names.length === 1) return { schema: undefined, name: names[0]! };
  if (names.length === 2) return { schema: names[0]!, name: names[1]! };
  // `database.schema.name`: the database is the current one.
  if (names.length === 3) return { schema: names[1]!, name: names[2]! };
  return undefined;
}

/** `orders` and `public.orders` may be the same table: without a schema, only the names are compared. */
export function sameRelation(a: RelationName, b: RelationName): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

/** The name as a user would write it in SQL, quoted where needed. */
export function displayRelation(relation: RelationName): string {
  const quote = (identifier: string) => (/^[a-z_][a-z0-9_$]*$/.test(identifier) ? identifier : `"${identifier.replace(/"/g, '""')}"`);
  return relation.schema ? `${quote(relation.schema)}.${quote(relation.name)}` : quote(relation.name);
}

/** A relation moved with its statement after an edit: where its name is written (a `RelationRef`), if known, moves too. */
export function movedRelation<R extends RelationName>(relation: R, delta: number): R {
  const { range } = relation as RelationName & { range?: OffsetRange };
  return range ? { ...relation, range: movedRange(range, delta) } : relation;
}
