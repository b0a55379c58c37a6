/** The real browser the page and report tests drive: Debian's Chromium (or ROSETTA_CHROMIUM), headless. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ROSETTA_CHROMIUM ?? '/usr/bin/chromium';

/** A test's `skip` option: false, or why the browser tests cannot run here. */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set ROSETTA_CHROMIUM)`;

/** Screenshots of the page tests land here, for a person to look at after a run. */
export function artifactPath(name: string): string {
  const dir = join(process.cwd(), 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Headless, offline (no background networking, updates or sync), no GPU. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The web page at `url` in a fresh browser, desktop-sized; an error thrown by the page's script fails the test. */
export async function openPage(url: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(url);
  return { browser, page };
}
