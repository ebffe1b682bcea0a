// `node scripts/bench/schema-replay.mjs [corpus folder]`: replays every migration set of the corpus
// into the schema catalogue, as `lockguard lint` does (each file's earlier migrations), and prints
// how long each corpus folder and the biggest set take. Any error thrown is printed and fails the run.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { earlierMigrations, type MigrationSetFiles } from '../../server/src/engine/model/migration-set';
import { PriorSchemas } from '../../server/src/engine/model/schema/prior-schemas';
import { PostgresParser } from '../../server/src/engine/parse/parser';
import { diskFiles } from '../../server/src/engine/prior-schema-files';

const corpus = resolve(process.argv[2] ?? '../shared/corpus');

function sqlFiles(folder: string): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((name) => {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) return sqlFiles(path);
      return name.endsWith('.sql') ? [path] : [];
    });
}

const parser = await PostgresParser.load();
const folders = readdirSync(corpus)
  .flatMap((name) => (name === 'frameworks' ? readdirSync(join(corpus, name)).map((inner) => join(name, inner)) : [name]))
  .filter((name) => statSync(join(corpus, name)).isDirectory());

/** Folder listings read once: only the loader's own work is timed. */
const listings = new Map<string, ReturnType<MigrationSetFiles['list']>>();
const listedOnce: MigrationSetFiles = {
  list: (folder) => (listings.has(folder) ? listings.get(folder) : listings.set(folder, diskFiles.list(folder)).get(folder)),
  read: (path) => diskFiles.read(path),
};

let failures = 0;
let biggest = { file: '', earlier: 0 };
console.log('folder                                      files  in a set  objects after the last   ms (every file, one cache)');
for (const folder of folders) {
  const schemas = new PriorSchemas(parser, diskFiles);
  const files = sqlFiles(join(corpus, folder));
  let inSet = 0;
  let objects = 0;
  let elapsed = 0;
  for (const file of files) {
    try {
      const start = performance.now();
      const prior = schemas.before(file);
      elapsed += performance.now() - start;
      if (!prior) continue;
      inSet++;
      objects = Math.max(objects, prior.relations.size + prior.functions.size + prior.domains.size);
      const earlier = earlierMigrations(file, listedOnce).length;
      if (earlier > biggest.earlier) biggest = { file, earlier };
    } catch (error) {
      failures++;
      console.error(`${file}: ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  console.log(`${folder.padEnd(44)}${String(files.length).padStart(5)}${String(inSet).padStart(10)}${String(objects).padStart(24)}${elapsed.toFixed(0).padStart(7)}`);
}

// The biggest set, cold: every earlier migration parsed and replayed once.
const cold = new PriorSchemas(parser, diskFiles);
const start = performance.now();
const prior = cold.before(biggest.file);
const elapsed = performance.now() - start;
const again = performance.now();
cold.before(biggest.file);
const cached = performance.now() - again;
console.log(`\nbiggest set: ${biggest.earlier} migrations before ${biggest.file}`);
console.log(`cold replay: ${elapsed.toFixed(0)} ms (parser cache warm from the run above), ${prior?.relations.size ?? 0} relations known after it; asked again: ${cached.toFixed(1)} ms`);
if (failures > 0) {
  console.error(`${failures} file(s) failed`);
  process.exitCode = 1;
}
