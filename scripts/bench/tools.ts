import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CliTool } from './cli-bench';
import type { LspServerCommand } from './lsp-probe';

/** A tool under benchmark: how to lint a corpus with its CLI, and how to start its language server. */
export interface Tool {
  name: string;
  cli: CliTool;
  lsp(workspace: string): LspServerCommand;
}

const require = createRequire(__filename);

/**
 * The peers' native binaries, not their npm launcher scripts: those add a Node.js start to every
 * run that is not the tool's own cost.
 */
const resolveBinary = (specifier: string) => require.resolve(specifier);

export function tools(projectRoot: string): Tool[] {
  const lockguard = join(projectRoot, 'bin', 'lockguard.js');
  const squawk = resolveBinary('@squawk-cli/linux-x64/bin/squawk');
  const pls = resolveBinary('@postgres-language-server/cli-x86_64-linux-gnu/postgres-language-server');
  return [
    {
      name: 'lockguard',
      cli: {
        name: 'lockguard lint --format json',
        command: (corpus) => ({ command: process.execPath, args: [lockguard, 'lint', '--format', 'json', '--exit-zero', corpus] }),
        okExitCodes: [0],
        canExclude: false,
        cacheDirectory: '.lockguard-cache',
      },
      lsp: (workspace) => ({ command: process.execPath, args: [lockguard, 'lsp', '--stdio'], workspace }),
    },
    {
      name: 'squawk',
      cli: {
        name: 'squawk --reporter json',
        command: (corpus, excluded) => ({
          command: squawk,
          // squawk takes files or glob patterns, not directories.
          args: ['--reporter', 'json', ...excluded.map((file) => `--exclude-path=${file}`), statSync(corpus).isFile() ? corpus : join(corpus, '**', '*.sql')],
        }),
        okExitCodes: [0, 1],
        canExclude: true,
      },
      lsp: (workspace) => ({ command: squawk, args: ['server'], workspace }),
    },
    {
      name: 'postgres-language-server',
      cli: {
        name: 'postgres-language-server check --reporter json',
        command: (corpus) => ({ command: pls, args: ['check', '--disable-db', '--reporter=json', '--max-diagnostics=none', corpus] }),
        okExitCodes: [0, 1],
        canExclude: false,
      },
      // Without a database configured it lints statically, like the other two.
      lsp: (workspace) => ({ command: pls, args: ['lsp-proxy'], workspace }),
    },
  ];
}
