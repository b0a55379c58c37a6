/**
 * CLIP ViT-B/32 at its real size: a random-weight model of the exact architecture (src/train/clip/random-clip.ts,
 * ~600 MB fp32, built once into ~/.cache/rosetta/bench/) with the real tokenizer and processor files. Encode rates
 * at batch 1 and 32, fp32 and q8 (dynamic int8), through Rosetta (ClipSpace: Transformers.js, sharp preprocessing,
 * tokenising, normalising) against a bare onnxruntime-node session on the same file and pre-made inputs. Each
 * configuration runs in its own process, so its peak RSS is its own. Published anchor: ≈ 11 images/s at batch 1
 * for CLIP ViT-B/32 on ONNX Runtime CPU.
 * Run: flock /work/heavy.lock nice -n 5 npx tsx bench/clip-b32.ts [--threads 2] [--seconds 10]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { resolveRuntime } from '../src/models/runtime-options.js';
import { parseModelRef } from '../src/models/model-ref.js';
import { ClipSpace } from '../src/spaces/clip-space.js';
import { writeRandomClipDir } from '../src/train/clip/random-clip-dir.js';
import type { RgbImage } from '../src/types.js';
import { arg, peakRssMiB, printTable } from './lib.js';

const threads = Number(arg('threads', '2'));
const seconds = Number(arg('seconds', '10'));
const REFERENCE = fileURLToPath(new URL('../test/fixtures/clip-vit-base-patch32', import.meta.url));
const DIR = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rosetta', 'bench', 'clip-vit-b32-random');

interface Config {
  tower: 'vision' | 'text';
  dtype: 'fp32' | 'q8';
  batch: number;
  path: 'rosetta' | 'bare';
}
interface Measured extends Config {
  perSecond: number;
  firstMs: number;
  rssMiB: number;
  loadSeconds: number;
}

function images(n: number): RgbImage[] {
  // Camera-like 640×480 pictures, so Rosetta's figure includes resizing and cropping as a user's would.
  return Array.from({ length: n }, (_, k) => ({
    width: 640,
    height: 480,
    channels: 3,
    data: Uint8Array.from({ length: 640 * 480 * 3 }, (_, i) => (i * 7 + k * 31 + ((i / 1920) | 0)) % 256),
  }));
}
const texts = (n: number) => Array.from({ length: n }, (_, i) => `a photo of ${i} red bicycles leaning against a brick wall at dusk`);

/** Runs `step` (one batch) repeatedly for about `seconds`, after one warm-up; returns inputs per second. */
async function rate(batch: number, step: () => Promise<unknown>): Promise<{ perSecond: number; firstMs: number }> {
  let t = performance.now();
  await step();
  const firstMs = performance.now() - t;
  let n = 0;
  t = performance.now();
  while (n === 0 || performance.now() - t < seconds * 1000) {
    await step();
    n += 1;
  }
  return { perSecond: (n * batch * 1000) / (performance.now() - t), firstMs };
}

async function measure(c: Config): Promise<Measured> {
  const t = performance.now();
  if (c.path === 'rosetta') {
    const space = new ClipSpace({
      id: 'clip',
      ref: parseModelRef(DIR),
      runtime: resolveRuntime({ offline: true, dtype: c.dtype, threads, batchSize: c.batch }),
      family: 'clip',
    });
    const inputs = c.tower === 'vision' ? images(c.batch) : texts(c.batch);
    if (c.tower === 'vision') await space.embedImages(images(1));
    else await space.embedTexts(['load']);
    const loadSeconds = (performance.now() - t) / 1000;
    const r = await rate(c.batch, () =>
      c.tower === 'vision' ? space.embedImages(inputs as RgbImage[]) : space.embedTexts(inputs as string[]),
    );
    return { ...c, ...r, loadSeconds, rssMiB: peakRssMiB() };
  }
  const file = join(DIR, 'onnx', `${c.tower}_model${c.dtype === 'q8' ? '_quantized' : ''}.onnx`);
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const loadSeconds = (performance.now() - t) / 1000;
  let feeds: Record<string, ort.Tensor>;
  if (c.tower === 'vision') {
    feeds = {
      pixel_values: new ort.Tensor(
        'float32',
        new Float32Array(c.batch * 3 * 224 * 224).map((_, i) => Math.sin(i) * 1.5),
        [c.batch, 3, 224, 224],
      ),
    };
  } else {
    // The token count of the bench text (16 with start/end), as the tokenizer gives it.
    const ids = BigInt64Array.from({ length: c.batch * 16 }, (_, i) =>
      i % 16 === 0 ? 49406n : i % 16 === 15 ? 49407n : BigInt(320 + (i % 16) * 11),
    );
    feeds = {
      input_ids: new ort.Tensor('int64', ids, [c.batch, 16]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(c.batch * 16).fill(1n), [c.batch, 16]),
    };
  }
  const r = await rate(c.batch, () => session.run(feeds));
  return { ...c, ...r, loadSeconds, rssMiB: peakRssMiB() };
}

const one = arg('config', '');
if (one) {
  process.stdout.write(`${JSON.stringify(await measure(JSON.parse(one) as Config))}\n`);
} else {
  if (!existsSync(join(DIR, 'onnx', 'text_model_quantized.onnx'))) {
    const t = performance.now();
    writeRandomClipDir(DIR, REFERENCE, { quantized: true });
    console.log(`built the random-weight ViT-B/32 (fp32 + q8) into ${DIR} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  const rows: Record<string, string | number>[] = [];
  for (const tower of ['vision', 'text'] as const) {
    for (const dtype of ['fp32', 'q8'] as const) {
      for (const batch of [1, 32]) {
        const pair: Partial<Record<'rosetta' | 'bare', Measured>> = {};
        for (const path of ['bare', 'rosetta'] as const) {
          const out = execFileSync(
            process.execPath,
            [
              '--import',
              'tsx',
              fileURLToPath(import.meta.url),
              '--config',
              JSON.stringify({ tower, dtype, batch, path }),
              '--threads',
              String(threads),
              '--seconds',
              String(seconds),
            ],
            { encoding: 'utf8', maxBuffer: 1 << 20 },
          );
          pair[path] = JSON.parse(out.trim().split('\n').pop()!) as Measured;
        }
        rows.push({
          tower,
          dtype,
          batch,
          unit: tower === 'vision' ? 'images/s' : 'texts/s',
          'bare ORT': pair.bare!.perSecond,
          Rosetta: pair.rosetta!.perSecond,
          'Rosetta / bare': pair.rosetta!.perSecond / pair.bare!.perSecond,
          'peak RSS bare MiB': pair.bare!.rssMiB,
          'peak RSS Rosetta MiB': pair.rosetta!.rssMiB,
          'load s (Rosetta)': pair.rosetta!.loadSeconds,
        });
      }
    }
  }
  printTable(
    `CLIP ViT-B/32 (random weights, exact size), ${threads} threads; Rosetta's image rate includes decoding-free resize/crop of 640×480 pictures`,
    rows,
  );
  const b1 = rows.find((r) => r.tower === 'vision' && r.dtype === 'fp32' && r.batch === 1)!;
  const perSecond = b1.Rosetta as number;
  console.log(
    `\n100,000 photos at batch 1, fp32: ${(100_000 / perSecond / 3600).toFixed(1)} h on ${threads} threads (anchor ≈ 11 images/s → 2.5 h)`,
  );
}
