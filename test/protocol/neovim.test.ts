import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/lsp-client';

const nvimInstalled = spawnSync('nvim', ['--version'], { encoding: 'utf8' }).status === 0;
const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The README's Neovim configuration: the first Lua block after "**Neovim**". */
function readmeNeovimConfig(): string {
  const section = README.slice(README.indexOf('**Neovim**'));
  const block = /```lua\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md has no ```lua block after **Neovim**');
  return block[1]!;
}

describe.skipIf(!nvimInstalled)('Neovim with the README configuration (skipped when nvim is not installed: apt-get install neovim)', () => {
  const project = mkdtempSync(join(tmpdir(), 'lockguard-neovim-'));
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('starts `npx lockguard lsp --stdio` for a SQL file and shows its diagnostic', () => {
    // A project with lockguard installed (a link to this checkout), as the README assumes.
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(PROJECT_ROOT, join(project, 'node_modules', 'lockguard'));
    symlinkSync(join('..', 'lockguard', 'bin', 'lockguard.js'), join(project, 'node_modules', '.bin', 'lockguard'));
    writeFileSync(join(project, 'init.lua'), readmeNeovimConfig());
    const migration = join(project, '002_index.sql');
    writeFileSync(migration, '-- the incident\nCREATE INDEX orders_customer_id_idx ON orders (customer_id);\n');
    const out = join(project, 'diagnostics.json');

    const run = spawnSync('nvim', ['--headless', '-n', '-i', 'NONE', '-u', 'init.lua', '-c', `luafile ${join(PROJECT_ROOT, 'test', 'protocol', 'neovim', 'harness.lua')}`], {
      cwd: project,
      encoding: 'utf8',
      timeout: 15_000,
      env: { ...process.env, LOCKGUARD_NVIM_FILE: migration, LOCKGUARD_NVIM_OUT: out, npm_config_offline: 'true' },
    });
    expect(run.status, `nvim: ${run.stderr}${run.error ?? ''}`).toBe(0);

    const shown = JSON.parse(readFileSync(out, 'utf8'));
    expect(shown).toMatchObject({ filetype: 'sql', clients: ['lockguard'], received: true });
    expect(shown.diagnostics).toContainEqual({
      lnum: 1,
      col: 0,
      end_col: 12,
      severity: 1,
      source: 'lockguard',
      code: 'create-index-without-concurrently',
      message: expect.stringContaining('SHARE lock on orders'),
    });
  });
});
