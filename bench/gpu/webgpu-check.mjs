// GPU path check for the device machine (plain JS: that machine has no npm). Runs the mini model's
// towers and a large MatMul stack through onnxruntime-node on the CPU and on its WebGPU execution
// provider, checks the outputs agree, and measures throughput. Usage:
//   node bench/gpu/webgpu-check.mjs <onnxruntime-node dir> <models dir> <out.json>
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [ortDir, modelsDir, outPath] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const ort = require(ortDir);
const report = { backends: ort.listSupportedBackends?.(), node: process.version, cases: [] };

function randomTensor(type, dims, seed = 1) {
  const n = dims.reduce((a, b) => a * b, 1);
  let s = seed;
  const data = new Float32Array(n);
  for (let i = 0; i < n; i += 1) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return new ort.Tensor(type, data, dims);
}

async function bench(name, file, makeFeeds, flopsPerRun, iterations) {
  const entry = { name };
  const feeds = makeFeeds();
  const results = {};
  for (const ep of ['cpu', 'webgpu']) {
    try {
      const t0 = performance.now();
      const session = await ort.InferenceSession.create(file, { executionProviders: [ep], graphOptimizationLevel: 'all' });
      const createMs = performance.now() - t0;
      let out = await session.run(feeds); // warm-up
      const t1 = performance.now();
      for (let i = 0; i < iterations; i += 1) out = await session.run(feeds);
      const ms = (performance.now() - t1) / iterations;
      const first = out[session.outputNames[0]];
      results[ep] = {
        createMs,
        msPerRun: ms,
        gflops: flopsPerRun ? flopsPerRun / ms / 1e6 : undefined,
        out: Float32Array.from(first.data),
      };
      entry[ep] = {
        createMs: +createMs.toFixed(1),
        msPerRun: +ms.toFixed(3),
        gflops: flopsPerRun ? +(flopsPerRun / ms / 1e6).toFixed(1) : undefined,
      };
      await session.release?.();
    } catch (e) {
      entry[ep] = { error: String(e?.message ?? e).split('\n')[0] };
    }
  }
  if (results.cpu && results.webgpu) {
    let maxDiff = 0;
    for (let i = 0; i < results.cpu.out.length; i += 1) maxDiff = Math.max(maxDiff, Math.abs(results.cpu.out[i] - results.webgpu.out[i]));
    entry.maxAbsDiff = maxDiff;
    entry.speedup = +(results.cpu.msPerRun / results.webgpu.msPerRun).toFixed(2);
  }
  report.cases.push(entry);
  console.log(JSON.stringify(entry));
}

const clip = join(modelsDir, 'rosetta-mini', 'clip', 'onnx');
const pre = JSON.parse(readFileSync(join(modelsDir, 'rosetta-mini', 'clip', 'preprocessor_config.json'), 'utf8'));
const side = pre.crop_size?.height ?? pre.size?.shortest_edge ?? 64;
for (const batch of [64, 512]) {
  await bench(
    `mini vision tower, batch ${batch}`,
    join(clip, 'vision_model.onnx'),
    () => ({ pixel_values: randomTensor('float32', [batch, 3, side, side]) }),
    0,
    20,
  );
}
const seq = 16;
await bench(
  'mini text tower, batch 512',
  join(clip, 'text_model.onnx'),
  () => {
    const ids = new BigInt64Array(512 * seq).map((_, i) => BigInt(2 + ((i * 7) % 500)));
    return {
      input_ids: new ort.Tensor('int64', ids, [512, seq]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(512 * seq).fill(1n), [512, seq]),
    };
  },
  0,
  20,
);
// 8 × [4096×1024]·[1024×1024] with ReLU: 69 GFLOP a run — shows where the GPU path pays off.
await bench(
  'MatMul stack 8 × 4096·1024·1024',
  join(modelsDir, '..', 'gpukit', 'matmul-stack.onnx'),
  () => ({ x: randomTensor('float32', [4096, 1024], 7) }),
  8 * 2 * 4096 * 1024 * 1024,
  5,
);
writeFileSync(outPath, JSON.stringify(report, null, 2));
