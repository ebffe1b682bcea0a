/**
 * Mode B: the workbench driven through the keyboard and the screen, as a person uses it. Judged by what
 * the workbench shows and by the file on disk; a screenshot is saved after every step.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { runTests, skip, test, type Outcome } from '../suite/harness';
import type { VsCodeServer } from '../runner/vscode-server';

const MIGRATION = '007_person.sql';
const RULE = 'create-index-without-concurrently';
const FIX_TITLE = 'Build the index with CREATE INDEX CONCURRENTLY IF NOT EXISTS';
const FIXED = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);\n';
const CHECK_COMMAND = 'lockguard.checkMigration';
const STEP_TIMEOUT_MS = 20_000;
const QUICK_FIX_ATTEMPTS = 3;

export async function runUiTests(context: BrowserContext, server: VsCodeServer, extensionRoot: string, workspace: string, screenshots: string): Promise<Outcome> {
  const page = await context.newPage();
  let shots = 0;
  const screenshot = (name: string) => page.screenshot({ path: join(screenshots, `${String(++shots).padStart(2, '0')}-${name}.png`) });
  const file = join(workspace, 'migrations', MIGRATION);
  const withFailureScreenshot = async (steps: () => Promise<void>) => {
    try {
      await steps();
    } catch (error) {
      await screenshot('failure').catch(() => undefined); // the page may be gone: the step's error is what matters
      throw error;
    }
  };

  test('a person opens a migration, sees the squiggle and the Problems entry, applies the fix with Ctrl+. and saves', () =>
    withFailureScreenshot(async () => {
      await page.goto(server.workbenchUrl(workspace));
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'migrations' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await openWithQuickOpen(page, MIGRATION);
      await page.locator('.editor-group-container .monaco-editor .squiggly-error').first().waitFor({ timeout: STEP_TIMEOUT_MS });
      await screenshot('squiggle');

      await page.keyboard.press('Control+Shift+M');
      await page.locator('.markers-panel .monaco-list-row', { hasText: RULE }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
      await screenshot('problems-panel');

      await page.locator('.editor-group-container .monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+Home');
      // The preferred fix comes first and is focused: Enter applies it.
      await openQuickFixMenu(page);
      await screenshot('quick-fix-menu');
      await page.keyboard.press('Enter');
      await page.locator('.editor-group-container .view-lines', { hasText: 'CREATE INDEX CONCURRENTLY' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await page.keyboard.press('Control+S');
      await waitForFile(file, FIXED);
      await page.locator('.markers-panel .monaco-list-row', { hasText: RULE }).waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
      await screenshot('fixed-and-saved');
    }),
  );

  /**
   * Ctrl+. until the menu shows the fix, as a person would press it again: right after the cursor
   * moves, the workbench can answer "No code actions available" before it has asked the server
   * (seen once on a fresh-clone CI run; the server's own code actions are covered by the protocol tests).
   */
  async function openQuickFixMenu(page: Page): Promise<void> {
    const focusedFix = page.locator('.action-widget .monaco-list-row.focused', { hasText: FIX_TITLE });
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      try {
        await focusedFix.waitFor({ timeout: attempt < QUICK_FIX_ATTEMPTS ? STEP_TIMEOUT_MS / QUICK_FIX_ATTEMPTS : STEP_TIMEOUT_MS });
        return;
      } catch (error) {
        if (attempt === QUICK_FIX_ATTEMPTS) throw error;
        await page.keyboard.press('Escape');
      }
    }
  }

  test('a person runs "Check migration against staging" from F1 and sees the report', async () => {
    const command = contributedCommand(extensionRoot, CHECK_COMMAND);
    if (!command) skip(`the extension does not contribute ${CHECK_COMMAND}`);
    await withFailureScreenshot(async () => {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: STEP_TIMEOUT_MS });
      await page.keyboard.type(command); // after the ">" F1 puts there
      await page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
      await page.keyboard.press('Enter');
      // The report is a webview beside the editor: an iframe, its page in a nested frame.
      await page.locator('.tabs-container .tab', { hasText: `Lockguard check: ${MIGRATION}` }).waitFor({ timeout: 40_000 });
      const report = page.frameLocator('iframe.webview').frameLocator('iframe').locator('body');
      await report.locator('h1', { hasText: `Lockguard check: ${MIGRATION}` }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await report.getByText('Rolled back: nothing was changed.').waitFor({ timeout: STEP_TIMEOUT_MS });
      await report.locator('table.statements', { hasText: 'orders' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await screenshot('staging-report');
    });
  });

  try {
    return await runTests((line) => console.log(line));
  } finally {
    await page.close();
  }
}

async function openWithQuickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.type(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: STEP_TIMEOUT_MS });
}

async function waitForFile(path: string, expected: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let content = '';
  while (Date.now() < deadline) {
    content = await readFile(path, 'utf8');
    if (content === expected) return;
    await sleep(100);
  }
  throw new Error(`${path} on disk is ${JSON.stringify(content)}, expected ${JSON.stringify(expected)} after Ctrl+S`);
}

/** The palette title ("Lockguard: …") of a command the extension contributes, if it does. */
function contributedCommand(extensionRoot: string, id: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(extensionRoot, 'package.json'), 'utf8')) as { contributes?: { commands?: { command: string; title: string; category?: string }[] } };
  const command = manifest.contributes?.commands?.find((candidate) => candidate.command === id);
  return command && (command.category ? `${command.category}: ${command.title}` : command.title);
}
