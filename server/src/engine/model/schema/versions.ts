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
  private readonly byName = new Map<string, Map<string, History<T>>>();

  constructor(private readonly prior: ReadonlyMap<string, T>) {
    for (const [key, value] of prior) this.historyOf(nameOfKey(key)).prior = value;
  }

  /** The value just before statement `before`. */
  get(name: QualifiedName, before: number): T | undefined {
    const history = this.byName.get(name.name)?.get(name.schema);
    if (!history) return undefined;
    const { versions } = history;
    // The last version made before `before`.
    let low = 0;
    let high = versions.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (versions[middle]!.at < before) low = middle + 1;
      else high = middle;
    }
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

/** The qualified name of a key made by `qualifiedKey`. */
export function nameOfKey(key: string): QualifiedName {
  const split = key.indexOf('\0');
  return { schema: key.slice(0, split), name: key.slice(split + 1) };
}
