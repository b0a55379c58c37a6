import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, skipWithoutChromium } from '../helpers/chromium.js';
import { compareSpaces } from '../../src/eval/compare-spaces.js';
import { evaluateZeroShot } from '../../src/eval/evaluate-zeroshot.js';
import { check, scorePairs } from '../../src/eval/consistency/check.js';
import { audit } from '../../src/eval/bias/weat.js';
import { writeReport } from '../../src/eval/report/html-report.js';
import type { RetrievalResult } from '../../src/eval/evaluate-retrieval.js';
import type { Space } from '../../src/spaces/space.js';
import { createEvalSpace } from '../helpers/eval-space.js';

const FIX = resolve('test/fixtures/eval');
let a: Space;
let b: Space;
let dir: string;

before(async () => {
  a = await createEvalSpace();
  b = await createEvalSpace({ id: 'variant', words: { dog: [0.5, 0.3, -0.5], cat: [-0.5, 0.4, 0.1] } });
  dir = await mkdtemp(join(tmpdir(), 'rosetta-report-'));
});
after(async () => {
  await Promise.all([a.dispose(), b.dispose()]);
  await rm(dir, { recursive: true, force: true });
});

test(
  'the HTML report is self-contained and shows the recall chart and the mismatch grid in Chromium',
  { skip: skipWithoutChromium },
  async () => {
    const comparison = await compareSpaces([a, b], join(FIX, 'coco.json'), { task: 'retrieval', worst: 4 });
    const zeroshot = await evaluateZeroShot(a, join(FIX, 'classes'));
    const checked = await check(a, join(FIX, 'pairs.csv'), { threshold: 1 });
    const probe = await audit(a, { permutations: 200 });
    const scores = await scorePairs(a, join(FIX, 'pairs.csv'));
    const out = join(dir, 'report.html');
    await writeReport(out, {
      title: 'Fixture evaluation',
      retrieval: comparison.results as RetrievalResult[],
      zeroshot: [zeroshot],
      check: checked,
      audit: probe,
      scores,
    });
    const html = await readFile(out, 'utf8');
    assert.doesNotMatch(html, /<script|<link|src="http|url\(http/i, 'no script or external asset');

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const external: string[] = [];
      page.on('request', (r) => {
        if (!/^(file|data):/.test(r.url())) external.push(r.url());
      });
      await page.goto(pathToFileURL(out).href);
      const chart = page.locator('#retrieval svg.chart').first();
      assert.ok(await chart.isVisible(), 'recall chart visible');
      assert.equal(await chart.locator('rect.bar').count(), 12, '6 recall figures × 2 spaces');
      const barHeights = await chart.locator('rect.bar').evaluateAll((els) => els.map((e) => Number(e.getAttribute('height'))));
      assert.ok(
        barHeights.some((h) => h > 0),
        'some bar has height',
      );
      const thumbs = page.locator('#retrieval .grid img.thumb');
      assert.equal(await thumbs.count(), 8, '4 worst captions × 2 spaces');
      const loaded = await thumbs.evaluateAll((imgs) =>
        imgs.map((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
      );
      assert.ok(loaded.every(Boolean), 'every thumbnail decoded');
      assert.ok(await thumbs.first().isVisible());
      assert.ok(await page.locator('#zeroshot table.confusion').isVisible());
      assert.ok(await page.locator('#check svg.chart').isVisible(), 'calibration histogram');
      assert.equal(await page.locator('#scores img.thumb').count(), 2);
      assert.match(await page.locator('#audit .statement').innerText(), /probe, not a verdict/);
      assert.deepEqual(external, []);
      await mkdir('test-artifacts', { recursive: true });
      await page.screenshot({ path: 'test-artifacts/eval-report.png', fullPage: true });
    } finally {
      await browser.close();
    }
  },
);
