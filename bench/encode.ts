/**
 * Encode throughput through Rosetta (Transformers.js session, batching, normalisation) against a bare
 * onnxruntime-node session on the same ONNX file and batch — target ratio ≥ 0.9. Also end-to-end
 * (with sharp preprocessing / tokenising) for context.
 * Run: npx tsx bench/encode.ts [--batch 32] [--rounds 20]
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AutoTokenizer, Tensor } from '@huggingface/transformers';
import { ClipSpace } from '../src/spaces/clip-space.js';
import { parseModelRef } from '../src/models/model-ref.js';
import { resolveRuntime } from '../src/models/runtime-options.js';
import { arg, miniClipDir, printTable } from './lib.js';
import type { RgbImage } from '../src/types.js';

const batch = Number(arg('batch', '32'));
const rounds = Number(arg('rounds', '20'));
const dir = miniClipDir();
const space = new ClipSpace({
  id: 'mini',
  ref: parseModelRef(dir),
  runtime: resolveRuntime({ offline: true, batchSize: batch }),
  family: 'clip',
});

const images: RgbImage[] = Array.from({ length: batch }, (_, n) => ({
  width: 64,
  height: 64,
  channels: 3,
  data: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7 + n * 13) % 256),
}));
const texts = Array.from({ length: batch }, (_, i) => `a smiling face number ${i} with red heart eyes`);

// Warm both paths (session creation, first-run allocations).
await space.embedImages(images);
await space.embedTexts(texts);
const internals = space as unknown as {
  loadVision(): Promise<(x: Record<string, unknown>) => Promise<unknown>>;
  loadPreprocess(): Promise<unknown>;
  loadText(): Promise<(x: Record<string, unknown>) => Promise<unknown>>;
};
const { preprocessImages } = await import('../src/media/image/preprocess-image.js');
const cfg = await internals.loadPreprocess();
const pixels = await preprocessImages(images, cfg as never);
const tokenizer = await AutoTokenizer.from_pretrained(dir);
const tokens = tokenizer(texts, { padding: true, truncation: true }) as Record<string, Tensor>;

const bareVision = await ort.InferenceSession.create(join(dir, 'onnx', 'vision_model.onnx'));
const bareText = await ort.InferenceSession.create(join(dir, 'onnx', 'text_model.onnx'));
const pixelTensor = new ort.Tensor('float32', pixels.data, pixels.dims);
const idsTensor = new ort.Tensor('int64', tokens.input_ids.data as BigInt64Array, tokens.input_ids.dims);
const maskTensor = new ort.Tensor('int64', tokens.attention_mask.data as BigInt64Array, tokens.attention_mask.dims);
await bareVision.run({ pixel_values: pixelTensor });
await bareText.run({ input_ids: idsTensor, attention_mask: maskTensor });
const vision = await internals.loadVision();
const text = await internals.loadText();

/** Items per second over at least `rounds` calls and at least 1.5 s, so short calls are not lost in timer noise. */
async function rate(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  let calls = 0;
  while (calls < rounds || performance.now() - t < 1500) {
    await fn();
    calls += 1;
  }
  return (calls * batch) / ((performance.now() - t) / 1000);
}

// Interleave so drift (thermal, other load) hits both paths alike.
const res = { bareV: 0, rosV: 0, e2eV: 0, bareT: 0, rosT: 0, e2eT: 0 };
for (let rep = 0; rep < 3; rep += 1) {
  res.bareV += await rate(() => bareVision.run({ pixel_values: pixelTensor }));
  res.rosV += await rate(() => vision({ pixel_values: new Tensor('float32', pixels.data, pixels.dims) }));
  res.e2eV += await rate(() => space.embedImages(images));
  res.bareT += await rate(() => bareText.run({ input_ids: idsTensor, attention_mask: maskTensor }));
  res.rosT += await rate(() => text(tokens));
  res.e2eT += await rate(() => space.embedTexts(texts));
}
printTable(`Encode throughput, mini model, batch ${batch}, 3 interleaved repetitions of ≥ 1.5 s each (items/s)`, [
  {
    tower: 'vision',
    'bare onnxruntime-node': res.bareV / 3,
    'Rosetta (same tensor)': res.rosV / 3,
    ratio: res.rosV / res.bareV,
    'Rosetta end-to-end': res.e2eV / 3,
  },
  {
    tower: 'text',
    'bare onnxruntime-node': res.bareT / 3,
    'Rosetta (same tensor)': res.rosT / 3,
    ratio: res.rosT / res.bareT,
    'Rosetta end-to-end': res.e2eT / 3,
  },
]);
