/**
 * The engine's modules form no import cycle (type-only imports included): data flows downhill, text →
 * parse → model → locks → rules → lint, and a cycle is where that order breaks first.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filesEndingWith } from '../helpers/sql-files';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENGINE = join(ROOT, 'server', 'src', 'engine');

/** Relative imports of a module (`import … from './x'`, `export … from './x'`), resolved to files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((match) => `${resolve(dirname(file), match[1]!)}.ts`);
}

/** The import graph of the given modules, edges to modules outside them left out. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  return new Map(files.map((file) => [file, importsOf(file).filter((target) => known.has(target))]));
}

/** Every cycle's members, each cycle once (Tarjan's strongly connected components of more than one module). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

describe('the engine import graph', () => {
  it('has no cycles', () => {
    const files = filesEndingWith(ENGINE, '.ts').filter((file) => !file.endsWith('.test.ts'));
    const graph = importGraph(files);
    expect(files.length).toBeGreaterThan(100);
    expect([...graph.values()].flat().length).toBeGreaterThan(files.length);
    expect(findCycles(graph).map((cycle) => cycle.map((file) => relative(ENGINE, file)))).toEqual([]);
  });

  it('the check finds cycles, type-only imports included', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e2']],
      ['e2', ['e']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c'], ['e', 'e2']]);
    const splitter = join(ENGINE, 'text', 'splitter.ts');
    expect(importsOf(splitter)).toContain(join(ENGINE, 'text', 'statement-source.ts'));
  });
});
