/**
 * The editor test suite: VS Code loads this module (`extensionTestsPath`) into the real extension host
 * and calls `run()`, under the code-server runner (npm run test:e2e) and under @vscode/test-electron
 * (npm run test:electron). A rejected promise is a failed run.
 */
import './diagnostics';
import './snippet';
import './staging-check';
import { OUTCOME_PREFIX, runTests } from './harness';

export async function run(): Promise<void> {
  const outcome = await runTests((line) => console.log(line));
  console.log(`${OUTCOME_PREFIX}${JSON.stringify(outcome)}`);
  if (outcome.failed > 0) throw new Error(`${outcome.failed} editor test(s) failed`);
}
