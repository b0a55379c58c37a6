import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildTinyCaptioner } from '../helpers/tiny-generators.js';
import { caption, captionBatch, type ZeroShotTagger } from '../../src/generate/index.js';
import { RosettaError } from '../../src/errors/index.js';
import type { RgbImage } from '../../src/types.js';

function solid(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 1) data[i] = rgb[i % 3];
  return { data, width, height, channels: 3 };
}

/** A real (if simple) zero-shot tagger: scores colour names by the image's mean channel values. */
const colourTagger: ZeroShotTagger = async (image, labels) => {
  const mean = [0, 0, 0];
  for (let i = 0; i < image.data.length; i += 1) mean[i % 3] += image.data[i] / (image.data.length / 3);
  const channel: Record<string, number> = { red: 0, green: 1, blue: 2 };
  return labels.map((l) => (l in channel ? mean[channel[l]] / 255 : 0));
};

const isCode = (code: string) => (e: unknown) => RosettaError.is(e) && e.code === code;

describe('caption on a tiny random-weight ViT-GPT2 captioner', () => {
  let dir = '';
  before(() => {
    dir = buildTinyCaptioner().dir;
  });

  it('captions decoded pixels, a PNG path and PNG bytes in one batch, in order', async () => {
    const png = await sharp(Buffer.from(solid(20, 10, [200, 30, 30]).data), { raw: { width: 20, height: 10, channels: 3 } })
      .png()
      .toBuffer();
    const file = join(mkdtempSync(join(tmpdir(), 'rosetta-cap-')), 'red.png');
    writeFileSync(file, png);
    const out = await captionBatch([solid(40, 30, [0, 0, 255]), file, png], { model: dir, maxNewTokens: 6 });
    assert.equal(out.length, 3);
    for (const r of out) {
      assert.equal(r.kind, 'caption');
      assert.equal(typeof r.text, 'string');
      assert.equal(r.model, dir);
    }
    // Same pixels, same greedy decoding: the path and the bytes of one PNG caption identically.
    assert.equal(out[1].text, out[2].text);
  });

  it('writes longer for detail: detailed, and refuses OCR on a captioner that cannot read', async () => {
    const img = solid(32, 32, [10, 120, 10]);
    const short = await caption(img, { model: dir, detail: 'short', maxNewTokens: 4 });
    assert.equal(short.kind, 'caption');
    const detailed = await caption(img, { model: dir, detail: 'detailed' });
    assert.equal(typeof detailed.text, 'string');
    await assert.rejects(caption(img, { model: dir, ocr: true }), /Florence-2/);
  });

  it('is cancelled by an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(caption(solid(8, 8, [1, 2, 3]), { model: dir, signal: controller.signal }), isCode('ROSETTA_ERR_ABORTED'));
  });

  it('rejects bad options and inputs with the parameter named', async () => {
    await assert.rejects(caption(solid(8, 8, [1, 2, 3]), { model: dir, detail: 'long' as 'short' }), /one of: short, detailed for detail/);
    await assert.rejects(captionBatch([], { model: dir }), /non-empty array of images for images/);
    await assert.rejects(caption({ data: new Uint8Array(5), width: 2, height: 2, channels: 3 } as RgbImage, { model: dir }), /RgbImage/);
    await assert.rejects(caption(Buffer.from('not an image'), { model: dir }), (e: unknown) => RosettaError.is(e));
  });
});

describe('caption offline fallback to zero-shot tags', () => {
  const offline = () => ({ offline: true, cacheDir: mkdtempSync(join(tmpdir(), 'rosetta-empty-cache-')) });

  it('returns tags, clearly marked, when the default captioner is not cached', async () => {
    const out = await caption(solid(16, 16, [250, 20, 40]), {
      ...offline(),
      tagger: colourTagger,
      labels: ['blue', 'red', 'green'],
      topTags: 2,
    });
    assert.equal(out.kind, 'tags');
    assert.deepEqual(
      out.tags?.map((t) => t.label),
      ['red', 'blue'],
    );
    assert.equal(out.text, 'red, blue');
    assert.match(out.fallbackReason ?? '', /Xenova\/vit-gpt2-image-captioning/);
  });

  it('a captioner the caller named that cannot load is an error, not tags', async () => {
    const named = 'onnx-community/Florence-2-base-ft';
    await assert.rejects(
      caption(solid(16, 16, [250, 20, 40]), { ...offline(), model: named, tagger: colourTagger, labels: ['red', 'blue'] }),
      (e: unknown) => RosettaError.is(e) && e.code === 'ROSETTA_ERR_MODEL_OFFLINE_MISSING' && e.message.includes(named),
    );
  });

  it('without a tagger fails naming the model and how to fetch it', async () => {
    await assert.rejects(
      caption(solid(16, 16, [1, 1, 1]), offline()),
      (e: unknown) =>
        RosettaError.is(e) &&
        e.code === 'ROSETTA_ERR_MODEL_OFFLINE_MISSING' &&
        /vit-gpt2-image-captioning/.test(e.message) &&
        /rosetta models pull/.test(e.message),
    );
  });

  it('checks the tagger returns one score per label', async () => {
    await assert.rejects(
      caption(solid(4, 4, [1, 1, 1]), { model: 'tags', tagger: async () => [1], labels: ['a', 'b'] }),
      /1 scores for 2 labels/,
    );
  });
});
