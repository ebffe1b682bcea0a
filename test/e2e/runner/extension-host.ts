import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext, ConsoleMessage } from 'playwright-core';
import { OUTCOME_PREFIX, type Outcome } from '../suite/harness';
import type { VsCodeServer } from './vscode-server';

const SUITE_TIMEOUT_MS = 5 * 60_000;

/**
 * Mode A, as @vscode/test-electron runs a suite: the workbench loads the extension from the repository
 * and the suite module into the real Node extension host, calls its run(), and reports the result to
 * `window.codeAutomationExit`. The extension host's console arrives as the page's console messages.
 */
export async function runExtensionHostSuite(context: BrowserContext, server: VsCodeServer, workspace: string, suite: string, consoleLog: string): Promise<Outcome> {
  const page = await context.newPage();
  const lines: string[] = [];
  let reportExit: (code: number) => void = () => {};
  const exitCode = new Promise<number>((resolve) => (reportExit = resolve));
  page.on('console', (message) => {
    const text = consoleText(message);
    appendFileSync(consoleLog, `[${message.type()}] ${text}\n`);
    if (/^(✓|✗|- )/.test(text)) console.log(text);
    lines.push(text);
  });
  try {
    // In place before the workbench loads, which calls it when run() settles.
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    await page.goto(server.workbenchUrl(workspace, { extensionTestsPath: suite }));
    const timeout = new AbortController();
    const code = await Promise.race([exitCode, sleep(SUITE_TIMEOUT_MS, undefined, { signal: timeout.signal })]).finally(() => timeout.abort());
    const outcomeLine = lines.find((line) => line.startsWith(OUTCOME_PREFIX));
    if (outcomeLine) return JSON.parse(outcomeLine.slice(OUTCOME_PREFIX.length)) as Outcome;
    const why = code === undefined ? `it did not finish within ${SUITE_TIMEOUT_MS / 60_000} min` : `it exited with code ${code} before running its tests`;
    console.log(`✗ extension host suite: ${why}; the extension host's console is in ${consoleLog}`);
    return { passed: 0, failed: 1, skipped: 0 };
  } finally {
    await page.close();
  }
}

/** The extension host's console.log arrives styled: "%c INFO color: #33f <text>"; keep the text. */
function consoleText(message: ConsoleMessage): string {
  return message.text().replace(/^%c\s*\S+\s+color:\s*#\w+\s*/, '');
}
