#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { setFlagsFromString } = require('node:v8');
const { runWithCodeCache } = require('./code-cache');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('lockguard: the CLI is not built yet (dist/cli.js is missing). Run `npm run build` first.\n');
  process.exit(2);
}
// V8 recompiles the parser's hot WebAssembly with its optimising compiler on background threads: most of
// the CPU time of a lint of a few files (a pre-commit hook pays it on every commit), and no faster on a
// few hundred files (scripts/bench/cold-start.mjs). The baseline compiler alone serves a lint. Set here,
// before the bundle is compiled: V8 rejects a code cache made under other flags.
if (process.argv[2] === 'lint') setFlagsFromString('--liftoff-only');
runWithCodeCache(cli);
