import { qualifiedKey, type QualifiedName } from '../relations';

/** A value of a schema object from one statement on (`at`); undefined once dropped or renamed away. */
interface Version<T> {
  at: number;
  value: T | undefined;
}

/** What is known of one qualified name: the earlier migrations' value, and this file's versions in order. */
interface History<T> {
  prior: T | undefined;
  versions: Version<T>[];
}

/**
 * The successive values of one kind of schema object, by qualified name, over the statements of a
 * file, on top of what earlier migrations left (`prior`). The value before a statement is found by
 * a binary search in the object's own history: no replay, however often rules ask. Kept by name,
 * then schema: rules ask mostly about names nothing declares, which one lookup answers.
 */
export class Versions<T> {
  private readonly byName: Map<string, Map<string, History<T>>>;

  /** `byName`: histories already made from `prior` (a truncated copy's). */
  constructor(
    private readonly prior: ReadonlyMap<string, T>,
    byName?: Map<string, Map<string, History<T>>>,
  ) {
    this.byName = byName ?? new Map();
    if (!byName) for (const [key, value] of prior) this.historyOf(nameOfKey(key)).prior = value;
  }

  /**
   * These versions as they were before statement `statementIndex`: what a replay of the statements
   * above it made, to continue from (see `schemaHistory`). Versions are values, shared.
   */
  truncatedBefore(statementIndex: number): Versions<T> {
    const byName = new Map<string, Map<string, History<T>>>();
    for (const [name, schemas] of this.byName) {
      const copy = new Map<string, History<T>>();
      for (const [schema, { prior, versions }] of schemas) {
        const kept = versions.length === 0 || versions[versions.length - 1]!.at < statementIndex ? versions.slice() : versions.slice(0, firstAtOrAfter(versions, statementIndex));
        // A name only this file's later statements made is not known before them.
        if (prior !== undefined || kept.length > 0) copy.set(schema, { prior, versions: kept });
      }
      if (copy.size > 0) byName.set(name, copy);
    }
    return new Versions(this.prior, byName);
  }

  /** The value just before statement `before`. */
  get(name: QualifiedName, before: number): T | undefined {
    const history = this.byName.get(name.name)?.get(name.schema);
    if (!history) return undefined;
    const { versions } = history;
    // The last version made before `before`.
    const low = firstAtOrAfter(versions, before);
    return low > 0 ? versions[low - 1]!.value : history.prior;
  }

  /** The value after every statement replayed so far. */
  latest(name: QualifiedName): T | undefined {
    return this.get(name, Number.POSITIVE_INFINITY);
  }

  /** Sets (or, with undefined, removes) the value from statement `at` on; statements are replayed in order. */
  set(name: QualifiedName, at: number, value: T | undefined): void {
    const { versions } = this.historyOf(name);
    const last = versions[versions.length - 1];
    if (last?.at === at) last.value = value;
    else versions.push({ at, value });
  }

  /** The schemas that hold (or held) an object of this name. */
  schemasNamed(name: string): Iterable<string> {
    return this.byName.get(name)?.keys() ?? NO_SCHEMAS;
  }

  /** Whether any schema holds (or held) an object of this name. */
  knows(name: string): boolean {
    return this.byName.has(name);
  }

  /** Every name with a value after the replay, and the value (what the next migration of the set starts from). */
  final(): Map<string, T> {
    const result = new Map(this.prior);
    for (const [key, value] of this.changed()) {
      if (value === undefined) result.delete(key);
      else result.set(key, value);
    }
    return result;
  }

  /** The keys whose value changed during the replay, with their last value. */
  *changed(): Iterable<[string, T | undefined]> {
    for (const [name, schemas] of this.byName) {
      for (const [schema, { versions }] of schemas) {
        if (versions.length > 0) yield [qualifiedKey({ schema, name }), versions[versions.length - 1]!.value];
      }
    }
  }

  /** The names in a schema, known from earlier migrations or this file. */
  namesIn(schema: string): QualifiedName[] {
    const names: QualifiedName[] = [];
    for (const [name, schemas] of this.byName) if (schemas.has(schema)) names.push({ schema, name });
    return names;
  }

  private historyOf(name: QualifiedName): History<T> {
    let schemas = this.byName.get(name.name);
    if (!schemas) this.byName.set(name.name, (schemas = new Map()));
    let history = schemas.get(name.schema);
    if (!history) schemas.set(name.schema, (history = { prior: undefined, versions: [] }));
    return history;
  }
}

const NO_SCHEMAS: readonly string[] = [];

/** The position of the first version made at or after statement `statementIndex`. */
function firstAtOrAfter<T>(versions: readonly Version<T>[], statementIndex: number): number {
  let low = 0;
  let high = versions.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (versions[middle]!.at < statementIndex) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The qualified name of a key made by `qualifiedKey`. */
export function nameOfKey(key: string): QualifiedName {
  const split = key.indexOf('\0');
  return { schema: key.slice(0, split), name: key.slice(split + 1) };
}
