'use strict';
// Compiling the 1.5 MB CLI bundle is a large share of a cold `lockguard lint` (a pre-commit hook pays it
// on every commit). V8 can save the compiled code and reuse it: Node 22's module.enableCompileCache()
// does so; on Node 20 the bundle is compiled here with a code cache kept in the user's cache directory
// (~/.cache/lockguard, beside the staging check's; not a shared temporary directory, where another user
// could plant code for this one to run).
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { homedir } = require('node:os');
const { basename, dirname, join } = require('node:path');
const { Script } = require('node:vm');

/** Runs a CommonJS file as `require` would, reusing V8's compiled code from the last run when it still matches. */
function runWithCodeCache(filename) {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache();
    require(filename);
    return;
  }
  const cacheFile = cacheFileFor(filename, process.argv[2]);
  const cachedData = readIfPresent(cacheFile);
  const script = new Script(Module.wrap(readFileSync(filename, 'utf8')), { filename, cachedData });
  // Saved at exit, when the functions the run called are compiled too: the next run skips compiling them.
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => save(cacheFile, () => script.createCachedData()));
  const module = new Module(filename, null);
  module.filename = filename;
  module.paths = Module._nodeModulePaths(dirname(filename));
  module.loaded = true;
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(filename), module, filename, dirname(filename));
}

/**
 * One cache file per command (each compiles different functions), bundle build, Node version and
 * architecture; V8 also rejects a cache that does not match its source.
 */
function cacheFileFor(filename, command) {
  const name = /^[a-z]+$/.test(command ?? '') ? command : 'other';
  const { size, mtimeMs } = statSync(filename);
  const cacheHome = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cacheHome, 'lockguard', 'code-cache', `cli-${name}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}.bin`);
}

/** The command's caches for other builds of the bundle or other Node versions: replaced by the new one. */
function staleCaches(path) {
  const prefix = basename(path).split('-', 2).join('-') + '-';
  try {
    return readdirSync(dirname(path))
      .filter((name) => name.startsWith(prefix) && name.endsWith('.bin') && name !== basename(path))
      .map((name) => join(dirname(path), name));
  } catch {
    return [];
  }
}

function readIfPresent(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a concurrent run never reads half a file; a failure only costs the next run's speed. */
function save(path, data) {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, data());
    renameSync(partial, path);
    for (const stale of staleCaches(path)) rmSync(stale, { force: true });
  } catch {
    // read-only or full temporary directory: run without the cache
  }
}

module.exports = { runWithCodeCache };
