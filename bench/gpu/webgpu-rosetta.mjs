// Rosetta's own path on the GPU: ClipSpace (Transformers.js → onnxruntime-node) with device 'cpu' and 'webgpu'.
import { writeFileSync } from 'node:fs';
// Run from a folder holding the compiled library as dist/ and its node_modules (see BENCHMARKS.md).
import { ClipSpace } from './dist/spaces/clip-space.js';
import { parseModelRef } from './dist/models/model-ref.js';
import { resolveRuntime } from './dist/models/runtime-options.js';

const [modelDir, out] = process.argv.slice(2);
const images = Array.from({ length: 512 }, (_, n) => ({
  width: 64,
  height: 64,
  channels: 3,
  data: Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) => (i * 7 + n * 13) % 256),
}));
const texts = Array.from({ length: 512 }, (_, i) => `a smiling face number ${i} with red heart eyes`);
const report = {};
const vecs = {};
for (const device of ['cpu', 'webgpu']) {
  try {
    const space = new ClipSpace({
      id: 'mini',
      ref: parseModelRef(modelDir),
      runtime: resolveRuntime({ device, offline: true, batchSize: 256 }),
      family: 'clip',
    });
    await space.embedImages(images.slice(0, 8));
    await space.embedTexts(texts.slice(0, 8));
    let t = performance.now();
    const iv = await space.embedImages(images);
    const imgMs = performance.now() - t;
    t = performance.now();
    const tv = await space.embedTexts(texts);
    const txtMs = performance.now() - t;
    vecs[device] = [...iv, ...tv];
    report[device] = { imagesPerSecond: +((512 / imgMs) * 1000).toFixed(1), textsPerSecond: +((512 / txtMs) * 1000).toFixed(1) };
    await space.dispose();
  } catch (e) {
    report[device] = {
      error: String(e?.message ?? e)
        .split('\n')
        .slice(0, 2)
        .join(' '),
    };
  }
}
if (vecs.cpu && vecs.webgpu) {
  let d = 0;
  vecs.cpu.forEach((v, i) =>
    v.forEach((x, j) => {
      d = Math.max(d, Math.abs(x - vecs.webgpu[i][j]));
    }),
  );
  report.maxAbsDiff = d;
}
console.log(JSON.stringify(report));
writeFileSync(out, JSON.stringify(report, null, 2));
