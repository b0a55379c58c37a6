import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { AutoImageProcessor, AutoTokenizer, RawImage } from '@huggingface/transformers';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { ClipSpace } from '../../src/spaces/clip-space.js';
import { loadSpace } from '../../src/spaces/load-space.js';
import { writeRandomClipDir } from '../../src/train/clip/random-clip-dir.js';
import type { RgbImage } from '../../src/types.js';

// The real CLIP ViT-B/32 tokenizer and processor files (no weights), and a random-weight vision tower of
// its exact size (~350 MB, built once into a temp folder: ~10 s and ~1.5 GB of memory at peak here).
const REFERENCE = fileURLToPath(new URL('../fixtures/clip-vit-base-patch32', import.meta.url));
let dir: string;
let space: ClipSpace;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rosetta-clip-b32-'));
  writeRandomClipDir(dir, REFERENCE, { towers: ['vision'] });
  space = (await loadSpace({ model: dir }, resolveRuntime({ offline: true, threads: 2 }))) as ClipSpace;
});
after(async () => {
  await space?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test("the real CLIP BPE tokenizer gives the published ids through Rosetta's CLIP path, and the same as Transformers.js", async () => {
  const { ids, mask } = await space.tokenize(['a photo of a cat', 'A PHOTO of a Cat!!']);
  assert.deepEqual(ids[0], [49406, 320, 1125, 539, 320, 2368, 49407, 49407]);
  assert.deepEqual(mask[0], [1, 1, 1, 1, 1, 1, 1, 0]);
  const direct = await AutoTokenizer.from_pretrained(REFERENCE);
  const expected = direct(['a photo of a cat', 'A PHOTO of a Cat!!'], { padding: true, truncation: true });
  assert.deepEqual(
    ids,
    (expected.input_ids.tolist() as bigint[][]).map((r) => r.map(Number)),
  );
  // Long texts are cut at the model's 77-token context and still end with end-of-text, where CLIP pools
  // (Transformers.js alone drops it; Hugging Face's Python tokenizer keeps it).
  const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
  const long = await space.tokenize([words]);
  const plain = (direct([words], { padding: true, truncation: true }).input_ids.tolist() as bigint[][])[0].map(Number);
  assert.equal(long.ids[0].length, 77);
  assert.equal(long.ids[0][76], 49407);
  assert.deepEqual(long.ids[0].slice(0, 76), plain.slice(0, 76));
});

test("Rosetta's image preprocessing (sharp) matches Transformers.js' CLIPImageProcessor with the real settings", async () => {
  // A 320×200 picture with edges and gradients: resize short side to 224 (bicubic), centre-crop 224, normalise.
  const { data, info } = await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3070b0' } })
    .composite([
      {
        input: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="200"><defs><linearGradient id="g">' +
            '<stop offset="0" stop-color="#ff0"/><stop offset="1" stop-color="#a02"/></linearGradient></defs>' +
            '<rect x="40" y="30" width="200" height="120" fill="url(#g)"/><circle cx="250" cy="140" r="40" fill="#fff"/></svg>',
        ),
        top: 0,
        left: 0,
      },
    ])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const image: RgbImage = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
  const ours = await space.pixelValues([image]);
  const processor = await AutoImageProcessor.from_pretrained(REFERENCE);
  const theirs = (await processor(new RawImage(new Uint8ClampedArray(data), info.width, info.height, 3))).pixel_values;
  assert.deepEqual(ours.dims, theirs.dims);
  assert.deepEqual(ours.dims, [1, 3, 224, 224]);
  const ref = theirs.data as Float32Array;
  let sum = 0,
    max = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const d = Math.abs(ours.data[i] - ref[i]);
    sum += d;
    max = Math.max(max, d);
  }
  // One 8-bit step is 1/255/std ≈ 0.015 after normalisation. Same size, same crop, same statistics; the residual
  // is at hard edges: Transformers.js resamples with sharp's affine (point-sampled bicubic, pixel corners
  // aligned) where Rosetta uses sharp's resize (cubic kernel, pixel centres aligned, like Pillow's resize).
  let close = 0;
  for (let i = 0; i < ref.length; i += 1) if (Math.abs(ours.data[i] - ref[i]) <= 0.031) close += 1;
  assert.ok(close / ref.length > 0.94, `share within two steps ${close / ref.length}`);
  assert.ok(sum / ref.length < 0.025, `mean difference ${sum / ref.length} (largest ${max})`);
});

test('the full-size random ViT-B/32 vision tower loads through Rosetta and gives 512-d unit vectors', async () => {
  assert.ok(statSync(join(dir, 'onnx', 'vision_model.onnx')).size > 340e6, "the tower has the real model's size");
  const pictures: RgbImage[] = ['#c03020', '#20a040'].map((c) => ({
    data: new Uint8Array(64 * 48 * 3).fill(parseInt(c.slice(1, 3), 16)),
    width: 64,
    height: 48,
    channels: 3,
  }));
  const vectors = await space.embedImages(pictures);
  assert.equal(vectors.length, 2);
  for (const v of vectors) {
    assert.equal(v.length, 512);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-5);
  }
  assert.ok(
    vectors[0].some((x, i) => Math.abs(x - vectors[1][i]) > 1e-4),
    'different pictures, different vectors',
  );
});
