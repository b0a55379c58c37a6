import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { HELD_OUT_STYLE, PICTURE_SOURCES } from '../../src/train/data/picture-sources.js';
import { loadStylePictures, splitSquashed } from '../../src/train/data/style-pictures.js';
import { isHeldOut } from '../../src/datasets/emoji-pairs.js';
import { iconSvg, modelInputRgb, rasterise } from '../../src/train/features/picture-pixels.js';
import { MiniEncoders } from '../../src/train/mini/mini-encoders.js';
import { inputTensor } from '../../src/train/mini/style-data.js';
import { seededRandom } from '../../src/util/random.js';

const require = createRequire(import.meta.url);

test('every picture source is used under the licence its package states', () => {
  for (const src of PICTURE_SOURCES) {
    if (!src.pkg.startsWith('@iconify-json/')) continue;
    const info = require(`${src.pkg}/info.json`) as { license: { spdx: string } };
    assert.equal(src.licence, info.license.spdx, `${src.pkg} states ${info.license.spdx}`);
  }
  assert.equal(
    (require('emoji-datasource-google/package.json') as { license: string }).license,
    'MIT',
    'the packaging is MIT (the Noto art inside is Apache-2.0, recorded in the model README)',
  );
});

test('splits: held-out concepts appear in no style, the held-out style never trains, an icon named like a held-out emoji is held out with it', () => {
  const pictures = loadStylePictures({ styles: ['google', 'noto', 'openmoji', HELD_OUT_STYLE, 'game-icons', 'mdi'] });
  const train = pictures.filter((p) => !p.heldOutConcept && !p.heldOutStyle);
  assert.ok(train.length > 10000);
  assert.ok(train.every((p) => p.style !== HELD_OUT_STYLE && !isHeldOut(p.concept)));
  const heldOutEmoji = new Set(pictures.filter((p) => p.style === 'google' && p.heldOutConcept).map((p) => p.concept));
  assert.equal(heldOutEmoji.size, 344);
  assert.ok(!train.some((p) => heldOutEmoji.has(p.concept)), 'no training picture shows a held-out emoji concept');
  // Named icons that map to an emoji share its concept (and so its split).
  const mapped = pictures.filter((p) => p.style === 'mdi' && p.emoji);
  assert.ok(mapped.length > 100 && mapped.every((p) => p.concept === p.emoji!.id && p.heldOutConcept === p.emoji!.heldOut));
  // Emoji sets name their pictures by CLDR names: most map to an emoji with labels in every language.
  const noto = pictures.filter((p) => p.style === 'noto');
  assert.ok(noto.filter((p) => p.emoji).length / noto.length > 0.95);
});

test('squashed Firefox OS names are split into known words, and left whole when no cover exists', () => {
  const words = new Set(['alarm', 'clock', 'antenna', 'with', 'bars']);
  assert.equal(splitSquashed('alarmclock', words), 'alarm clock');
  assert.equal(splitSquashed('antennawithbars', words), 'antenna with bars');
  assert.equal(splitSquashed('aubergine', words), 'aubergine');
});

/** A 64 px RGBA PNG: an opaque red disc; outside it alpha 0 with the given hidden colour per pixel. */
async function disc(hidden: (i: number) => [number, number, number]): Promise<Buffer> {
  const S = 64,
    buf = Buffer.alloc(S * S * 4);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) {
      const i = y * S + x,
        inside = (x - 31.5) ** 2 + (y - 31.5) ** 2 < 20 ** 2;
      const [r, g, b] = inside ? [220, 30, 30] : hidden(i);
      buf.set([r, g, b, inside ? 255 : 0], i * 4);
    }
  return sharp(buf, { raw: { width: S, height: S, channels: 4 } })
    .png()
    .toBuffer();
}

test('training pixels composite transparency on white: hidden colours under alpha 0 never reach the model', async () => {
  const rand = seededRandom(3);
  const clean = await modelInputRgb(await disc(() => [0, 0, 0]));
  const noisy = await modelInputRgb(await disc(() => [Math.floor(rand() * 256), Math.floor(rand() * 256), Math.floor(rand() * 256)]));
  assert.deepEqual([...noisy], [...clean]);
  assert.deepEqual([...clean.subarray(0, 3)], [255, 255, 255], 'the corner is white');
  const enc = await MiniEncoders.fromDirectory(resolve('models/rosetta-mini'));
  const [a, b] = [await enc.embedPixels([inputTensor(clean)]), await enc.embedPixels([inputTensor(noisy)])];
  assert.deepEqual([...a], [...b]);
});

test('an Iconify icon rasterises on white with its drawing in the middle', async () => {
  const svg = iconSvg('<path fill="currentColor" d="M8 8h8v8H8z"/>', { left: 0, top: 0, width: 24, height: 24 });
  const rgb = await modelInputRgb(await rasterise(svg));
  const at = (x: number, y: number) => rgb[(y * 32 + x) * 3];
  assert.equal(at(0, 0), 255);
  assert.ok(at(16, 16) < 40, 'the square is drawn (black) in the centre');
});
