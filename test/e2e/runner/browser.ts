import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import type { Sandbox } from './sandbox';

/** Debian's Chromium: playwright-core drives it, so no browser is downloaded. */
export const CHROMIUM = '/usr/bin/chromium';
const APT_PACKAGES = 'chromium libkrb5-dev ripgrep';

export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The editor tests drive Debian's Chromium, and ${CHROMIUM} is missing. Install the Debian packages they need: apt-get install ${APT_PACKAGES} (.ci/run does this in CI).`);
  }
}

/** A headless Chromium with a fresh profile in the sandbox (Playwright takes the profile dir here, not as an argument). */
export function launchChromium(sandbox: Sandbox): Promise<BrowserContext> {
  return chromium.launchPersistentContext(sandbox.browserProfile, {
    executablePath: CHROMIUM,
    headless: true,
    // The runner ends the browser itself on Ctrl+C, after the tests' cleanup; Playwright's own handler would exit at once.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    viewport: { width: 1400, height: 900 },
    // Chromium writes crash reports and dconf caches under the XDG directories: keep them in the sandbox.
    env: { ...process.env, ...sandbox.env },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
