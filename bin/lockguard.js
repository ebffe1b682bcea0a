#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('lockguard: the CLI is not built yet (dist/cli.js is missing). Run `npm run build` first.\n');
  process.exit(2);
}
require(cli);
