import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { RosettaServer } from '../../src/server/index.js';
import { colourImage } from '../helpers/images.js';
import { artifactPath, openPage, skipWithoutChromium } from '../helpers/chromium.js';
import { buildFixture, startServer, type Fixture } from './fixture.js';

const skip = skipWithoutChromium;

let fx: Fixture;
let server: RosettaServer;
let url: string;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  fx = await buildFixture({ video: true });
  ({ server, url } = await startServer(fx));
  ({ browser, page } = await openPage(url));
});
after(async () => {
  await browser?.close();
  await server?.close();
  await fx?.cleanup();
});

const firstHitPath = (p: Page) => p.locator('#results li.hit').first().getAttribute('data-path');

test('typing a query and pressing Enter shows the expected image first', { skip }, async () => {
  await page.getByLabel('Search words').fill('red');
  await page.keyboard.press('Enter');
  await page.locator('#results li.hit').first().waitFor();
  assert.match((await firstHitPath(page)) ?? '', /red\.png$/);
  // Each hit shows a thumbnail, its score and the space that found it.
  const first = page.locator('#results li.hit').first();
  assert.match(await first.locator('.meta').innerText(), /score \d\.\d{3} · clip · image/);
  await first.locator('img').evaluate((img: HTMLImageElement) => img.decode());
  assert.ok(await first.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth > 0), 'the thumbnail loaded');
  // Every thumbnail (video keyframes included) has loaded before the screenshot.
  await page.waitForFunction(
    () => Array.from(document.querySelectorAll<HTMLImageElement>('#results img')).every((i) => i.complete && i.naturalWidth > 0),
    undefined,
    { timeout: 20_000 },
  );
  await page.screenshot({ path: artifactPath('ui-results.png'), fullPage: true });
});

test('dropping an image searches by example and shows the image of that colour first', { skip }, async () => {
  await page.getByLabel('Search words').fill('');
  const bytes = await colourImage('cyan', { seed: 404 });
  // A real drop event whose DataTransfer carries the file, as a browser makes it.
  const dataTransfer = await page.evaluateHandle((b64) => {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([raw], 'cyan.png', { type: 'image/png' }));
    return dt;
  }, bytes.toString('base64'));
  const before = await page.locator('#status').innerText();
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  // Wait for the search the drop started to finish, whatever its outcome, so a failed search fails here with its message.
  await page.waitForFunction(
    (b) => {
      const status = document.getElementById('status')!.textContent!;
      return status !== b && status !== 'Searching…' && !document.body.hasAttribute('aria-busy');
    },
    before,
    { timeout: 60_000 },
  );
  assert.match(await page.locator('#status').innerText(), /\d+ results? in/);
  assert.match((await firstHitPath(page)) ?? '', /cyan\.png$/);
  assert.equal(await page.locator('#example').isVisible(), true);
  // With words too, the weight slider appears and moves the result toward the words.
  await page.getByLabel('Search words').fill('yellow');
  await page.locator('#weight-row').waitFor();
  await page.locator('#weight').fill('10');
  await page.locator('#weight').dispatchEvent('change');
  await page.waitForFunction(() => /yellow\.png$/.test(document.querySelector('#results li.hit')?.getAttribute('data-path') ?? ''));
  await page.getByRole('button', { name: 'Remove example' }).click();
});

test('a video hit opens a player at the start of the matching scene', { skip }, async () => {
  await page.getByLabel('Search words').fill('magenta');
  for (const m of ['Images', 'Audio', 'Text']) await page.getByLabel(m).uncheck();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  // Each unticked box also searches: wait until the last search has rendered, or focus lands on a grid about to be replaced.
  await page.waitForFunction(
    () => !document.body.hasAttribute('aria-busy') && document.querySelector('#results li.hit')?.getAttribute('data-modality') === 'video',
  );
  const first = page.locator('#results li.hit').first();
  assert.match(await first.innerText(), /0:06\.0–0:09\.0/);
  // Keyboard: focus the hit and open it with Enter.
  await first.locator('button.hit-open').focus();
  await page.keyboard.press('Enter');
  const player = page.locator('#viewer video#player');
  await player.waitFor();
  await page.waitForFunction(() => {
    const v = document.querySelector('#player') as HTMLVideoElement | null;
    return !!v && v.readyState >= 1;
  });
  const t = await player.evaluate((v: HTMLVideoElement) => v.currentTime);
  assert.ok(Math.abs(t - 6) < 0.3, `player starts at ${t}, expected about 6 s`);
  await page.screenshot({ path: artifactPath('ui-player.png') });
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#viewer').evaluate((d: HTMLDialogElement) => d.open), false);
});

test('the ingest page indexes an upload with live progress', { skip }, async () => {
  await page.getByRole('tab', { name: 'Add files' }).click();
  await page.getByLabel('Or upload files').setInputFiles([
    { name: 'white-a.png', mimeType: 'image/png', buffer: await colourImage('white', { seed: 501 }) },
    { name: 'white-b.png', mimeType: 'image/png', buffer: await colourImage('white', { seed: 502 }) },
  ]);
  await page.getByRole('button', { name: 'Start indexing' }).click();
  await page.waitForFunction(() => /^Done/.test(document.getElementById('ingest-status')!.textContent!), undefined, { timeout: 30_000 });
  assert.match(await page.locator('#ingest-status').innerText(), /2 added/);
  assert.equal(await page.locator('#ingest-progress').evaluate((p: HTMLProgressElement) => p.value === p.max), true);
});
