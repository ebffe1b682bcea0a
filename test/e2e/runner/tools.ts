import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Project } from './sandbox';

/**
 * Installs the real VS Code into test/e2e/tools if it is missing or its lock file changed; a no-op that
 * takes a fraction of a second otherwise, so every run calls it and a fresh clone needs no extra step.
 */
export function ensureTools(project: Project): void {
  const setup = spawnSync('bash', [join(project.tools, 'setup.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) throw new Error(`Installing the editor test tools failed (bash ${join(project.tools, 'setup.sh')}, exit ${setup.status ?? setup.signal}).`);
}
