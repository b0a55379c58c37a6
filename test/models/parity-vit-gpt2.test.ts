import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { AutoImageProcessor, Tensor, VisionEncoderDecoderModel } from '@huggingface/transformers';
import { unloadAll } from '../../src/generate/load-once.js';
import { VisionCaptioner } from '../../src/generate/caption/vision-captioner.js';
import { readImage } from '../../src/media/image/read-image.js';
import { toRawImage } from '../../src/media/image/raw-image.js';
import { kernelForResample, preprocessImages, readImagePreprocessConfig } from '../../src/media/image/preprocess-image.js';

// Reference parity for the ViT-GPT2 captioner (scripts/parity/vit_gpt2.py): a random-weight VisionEncoderDecoderModel
// (ViT + GPT-2 with cross-attention) against Hugging Face transformers in PyTorch.
const FIX = fileURLToPath(new URL('../fixtures/parity/vit-gpt2', import.meta.url));
const MODEL = join(FIX, 'model');
interface Caption {
  ids: number[];
  text: string;
}
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  cases: Record<string, { image: string; pixels: string; short: Caption; detailed: Caption }>;
};
after(() => unloadAll());

/** PIL's 224×224 bilinear resize (uint8), as the normalised tensor ViT is fed: v / 127.5 − 1. */
async function referencePixels(file: string): Promise<Float32Array> {
  const { data, info } = await sharp(join(FIX, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const plane = info.width * info.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i += 1) for (let c = 0; c < 3; c += 1) out[c * plane + i] = data[i * 3 + c] / 127.5 - 1;
  return out;
}

test("the ViT-GPT2 towers (the classes the image-to-text pipeline loads) give PyTorch's greedy ids on the same pixels", async () => {
  const model = (await VisionEncoderDecoderModel.from_pretrained(MODEL, { dtype: 'fp32' })) as unknown as {
    generate(o: Record<string, unknown>): Promise<Tensor>;
    dispose(): Promise<unknown>;
  };
  try {
    for (const [name, c] of Object.entries(ref.cases)) {
      const inputs = new Tensor('float32', await referencePixels(c.pixels), [1, 3, 224, 224]);
      const short = await model.generate({ inputs, max_new_tokens: 20 });
      assert.deepEqual((short.tolist() as bigint[][])[0].map(Number), c.short.ids, `${name}: short caption ids`);
      const detailed = await model.generate({ inputs, max_new_tokens: 48, num_beams: 1, repetition_penalty: 1.2 });
      assert.deepEqual((detailed.tolist() as bigint[][])[0].map(Number), c.detailed.ids, `${name}: detailed caption ids`);
    }
  } finally {
    await model.dispose();
  }
});

test("ViT-GPT2 image preprocessing: Rosetta's (sharp, bilinear) is within half a grey level of PIL's (Transformers.js' own: up to 16)", async (t) => {
  const processor = (await AutoImageProcessor.from_pretrained(MODEL)) as unknown as ((
    img: unknown,
  ) => Promise<{ pixel_values: Tensor }>) & {
    config: Record<string, unknown>;
  };
  const cfg = { ...readImagePreprocessConfig(processor.config), kernel: kernelForResample(processor.config.resample) };
  for (const [name, c] of Object.entries(ref.cases)) {
    const image = await readImage(readFileSync(join(FIX, c.image)));
    const theirs = await referencePixels(c.pixels);
    const levels = (ours: Float32Array) => {
      let sum = 0,
        max = 0;
      for (let i = 0; i < theirs.length; i += 1) {
        const d = Math.abs(ours[i] - theirs[i]) * 127.5;
        sum += d;
        max = Math.max(max, d);
      }
      return { mean: sum / theirs.length, max };
    };
    const rosetta = levels((await preprocessImages([image], cfg)).data);
    const library = levels((await processor(toRawImage(image))).pixel_values.data as Float32Array);
    t.diagnostic(
      `${name}: Rosetta mean ${rosetta.mean.toFixed(3)} levels (max ${rosetta.max.toFixed(0)}), ` +
        `Transformers.js mean ${library.mean.toFixed(3)} (max ${library.max.toFixed(0)})`,
    );
    assert.ok(
      rosetta.mean < 0.5 && rosetta.mean < library.mean,
      `${name}: Rosetta's preprocessing is ${rosetta.mean} grey levels from PIL's on average`,
    );
  }
});

test("captions through Rosetta's VisionCaptioner equal PyTorch's (short and detailed)", async (t) => {
  const captioner = new VisionCaptioner(MODEL, { offline: true });
  for (const [name, c] of Object.entries(ref.cases)) {
    const image = await readImage(readFileSync(join(FIX, c.image)));
    const [short] = await captioner.doCaption([image], { detail: 'short' });
    const [detailed] = await captioner.doCaption([image], { detail: 'detailed' });
    t.diagnostic(
      `${name}: short ${short.text === c.short.text ? 'identical' : 'differs'}, ` +
        `detailed ${detailed.text === c.detailed.text ? 'identical' : 'differs'}`,
    );
    assert.equal(short.text, c.short.text, `${name}: short caption`);
    assert.equal(detailed.text, c.detailed.text, `${name}: detailed caption`);
  }
});
