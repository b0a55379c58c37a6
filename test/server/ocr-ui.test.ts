import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RosettaServer } from '../../src/server/index.js';
import { renderText } from '../helpers/text-images.js';
import { artifactPath, openPage, skipWithoutChromium } from '../helpers/chromium.js';
import { buildFixture, startServer, type Fixture } from './fixture.js';

// The web page with a picture found by its words (real PaddleOCR): ~15 s with Chromium.
const skip = skipWithoutChromium;

let fx: Fixture;
let server: RosettaServer;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  fx = await buildFixture();
  // The phrase sits low and to the right, so an outline in the wrong place would show.
  writeFileSync(
    join(fx.photos, 'poster.png'),
    await renderText(['Farmers market', 'Saturday morning', 'Town square entrance'], { width: 560, height: 240 }),
  );
  const summary = await fx.rosetta.index([join(fx.photos, 'poster.png')], { ocr: true });
  assert.equal(summary.ocr?.lines, 3);
  let url: string;
  ({ server, url } = await startServer(fx));
  ({ browser, page } = await openPage(url));
});
after(async () => {
  await browser?.close();
  await server?.close();
  await fx?.cleanup();
});

test(
  'searching words shows the picture that contains them, the matched line quoted and outlined on the thumbnail and in the viewer',
  { skip },
  async () => {
    await page.getByLabel('Search words').fill('saturday morning');
    await page.locator('#hybrid').check();
    await page.keyboard.press('Enter');
    const first = page.locator('#results li.hit').first();
    await first.waitFor();
    assert.match((await first.getAttribute('data-path')) ?? '', /poster\.png$/);
    assert.equal(await first.locator('.matched-line').innerText(), '“Saturday morning”');
    // The outline is drawn in the picture's pixels: the second of three rows (y ≈ 110–150 of 240).
    const points = await first.locator('.line-box polygon').getAttribute('points');
    const ys = (points ?? '').split(' ').map((p) => Number(p.split(',')[1]));
    assert.ok(ys.length === 4 && Math.min(...ys) > 80 && Math.max(...ys) < 170, `outline at ${points}`);
    await first.locator('img').evaluate((img: HTMLImageElement) => img.decode());
    await page.screenshot({ path: artifactPath('ui-ocr-hit.png') });
    await first.locator('button.hit-open').click();
    const viewerBox = page.locator('#viewer-body .boxed .line-box polygon');
    await viewerBox.waitFor();
    await page.locator('#viewer-body .boxed img').evaluate((i: HTMLImageElement) => i.decode());
    // The outline lies over the picture, inside its displayed rectangle.
    const img = await page.locator('#viewer-body .boxed img').boundingBox();
    const outline = await viewerBox.boundingBox();
    assert.ok(
      img && outline && outline.y > img.y + img.height * 0.3 && outline.y + outline.height < img.y + img.height * 0.75,
      `outline ${JSON.stringify(outline)} in image ${JSON.stringify(img)}`,
    );
    await page.screenshot({ path: artifactPath('ui-ocr-viewer.png') });
  },
);
