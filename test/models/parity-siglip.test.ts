import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readImage } from '../../src/media/image/read-image.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { ClipSpace } from '../../src/spaces/clip-space.js';
import { loadSpace } from '../../src/spaces/load-space.js';
import { cosine } from '../../src/vectors/vector-math.js';

// Reference parity for SigLIP (scripts/parity/siglip.py): a random-weight SiglipModel with SigLIP's processor settings
// and a small Unigram tokenizer, against what Hugging Face transformers computes in PyTorch.
const FIX = fileURLToPath(new URL('../fixtures/parity/siglip', import.meta.url));
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  texts: string[];
  input_ids: number[][];
  text_embeds: number[][];
  images: Record<string, { pixels: string; image_embeds: number[] }>;
};
let space: ClipSpace;

before(async () => {
  space = (await loadSpace({ model: join(FIX, 'model') }, resolveRuntime({ offline: true, threads: 1 }))) as ClipSpace;
});
after(async () => {
  await space?.dispose();
});

async function referencePixels(file: string): Promise<{ levels: Uint8Array; data: Float32Array; dims: [number, number, number, number] }> {
  const { data, info } = await sharp(join(FIX, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const plane = info.width * info.height;
  const out = new Float32Array(3 * plane);
  const levels = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i += 1) {
    for (let c = 0; c < 3; c += 1) {
      levels[c * plane + i] = data[i * 3 + c];
      out[c * plane + i] = data[i * 3 + c] / 127.5 - 1;
    }
  }
  return { levels, data: out, dims: [1, 3, info.height, info.width] };
}

test("SigLIP tokenisation through Rosetta: Hugging Face's ids, padded to 64 with </s> as SigLIP is run", async () => {
  const { ids } = await space.tokenize(ref.texts);
  ref.texts.forEach((text, i) => assert.deepEqual(ids[i], ref.input_ids[i], JSON.stringify(text.slice(0, 40))));
});

test('SigLIP text and vision towers through Rosetta match PyTorch (cosine ≥ 0.9999)', async () => {
  const vectors = await space.embedTexts(ref.texts);
  ref.texts.forEach((text, i) => {
    const c = cosine(vectors[i], ref.text_embeds[i]);
    assert.ok(c >= 0.9999, `${JSON.stringify(text.slice(0, 40))}: cosine ${c}`);
  });
  for (const [name, image] of Object.entries(ref.images)) {
    const [v] = await space.embedPixelValues(await referencePixels(image.pixels));
    const c = cosine(v, image.image_embeds);
    assert.ok(c >= 0.9999, `${name}: cosine ${c}`);
  }
});

test("SigLIP preprocessing (224×224 without crop) within a grey level of PIL's; end to end cosine ≥ 0.999", async (t) => {
  for (const [name, ref0] of Object.entries(ref.images)) {
    const image = await readImage(readFileSync(join(FIX, 'images', `${name}.png`)));
    const ours = await space.pixelValues([image]);
    const theirs = (await referencePixels(ref0.pixels)).levels;
    let sum = 0,
      max = 0;
    for (let i = 0; i < theirs.length; i += 1) {
      const d = Math.abs((ours.data[i] + 1) * 127.5 - theirs[i]);
      sum += d;
      max = Math.max(max, d);
    }
    const [v] = await space.embedImages([image]);
    const c = cosine(v, ref0.image_embeds);
    t.diagnostic(`${name}: mean ${(sum / theirs.length).toFixed(3)} levels (max ${max.toFixed(0)}), cosine ${c.toFixed(6)}`);
    assert.ok(sum / theirs.length < 1 && c >= 0.999, `${name}: mean ${sum / theirs.length}, cosine ${c}`);
  }
});
