/**
 * rosetta-mini v5: proves an exported model directory loads where v4 loads. Opens every graph under DIR with
 * onnxruntime-node (one batch each, outputs finite, embeddings unit-length), runs the generator's graphs through
 * the sampler described in generator/generator.json with a fixed seed (twice: identical pixels), and opens DIR
 * through Rosetta's own space loader (`--model DIR` path: rosetta.json → clip/ + clap/ in hub layout) for a text,
 * a picture and a clip.
 *
 *   node --import tsx scripts/mini-v5/check-model.ts DIR
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadSpace } from '../../src/spaces/load-space.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { seededRandom } from '../../src/util/random.js';

const dir = resolve(process.argv[2] ?? '');
const files = (d: string): string[] =>
  readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
const problems: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};
const norm = (v: Float32Array, d: number, i: number) => Math.hypot(...v.subarray(i * d, (i + 1) * d));

const cfg = JSON.parse(readFileSync(join(dir, 'clap', 'config.json'), 'utf8')) as { audio_config: { spec_size: number } };
const frames = cfg.audio_config.spec_size;
const feeds: Record<string, () => Record<string, ort.Tensor>> = {
  'text_model.onnx': () => ({
    input_ids: new ort.Tensor('int64', BigInt64Array.from([2n, 100n, 3n, 2n, 3n, 0n]), [2, 3]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n, 1n, 1n, 0n]), [2, 3]),
  }),
  'vision_model.onnx': () => ({ pixel_values: new ort.Tensor('float32', new Float32Array(2 * 3 * 32 * 32).fill(0.5), [2, 3, 32, 32]) }),
  'model.onnx': () => ({ ...feeds['text_model.onnx'](), ...feeds['vision_model.onnx']() }),
  'audio_model.onnx': () => ({ input_features: new ort.Tensor('float32', new Float32Array(2 * frames * 64).fill(-1), [2, 1, frames, 64]) }),
  'decoder.onnx': () => ({ latents: new ort.Tensor('float32', new Float32Array(2 * 256), [2, 4, 8, 8]) }),
  'denoiser.onnx': () => ({
    latents: new ort.Tensor('float32', new Float32Array(2 * 256), [2, 4, 8, 8]),
    timestep: new ort.Tensor('float32', new Float32Array(2), [2]),
    condition: new ort.Tensor('float32', new Float32Array(2 * 256), [2, 256]),
  }),
};
const sessions: Record<string, ort.InferenceSession> = {};
for (const f of files(dir).filter((f) => f.endsWith('.onnx'))) {
  const name = f.split('/').pop()!;
  const s = await ort.InferenceSession.create(f, { intraOpNumThreads: 2 });
  sessions[name] = s;
  const r = await s.run(feeds[name]());
  const outs = Object.entries(r)
    .map(([k, t]) => `${k} [${t.dims.join(',')}]`)
    .join(', ');
  const finite = Object.values(r).every((t) => (t.data as Float32Array).every(Number.isFinite));
  const emb = Object.entries(r)
    .filter(([k]) => k.endsWith('_embeds'))
    .every(([, t]) => [0, 1].every((i) => Math.abs(norm(t.data as Float32Array, t.dims[1], i) - 1) < 1e-3));
  check(finite && emb, `${relative(dir, f)} loads in onnxruntime-node: ${outs}`);
}

// The sampler of generator.json, run twice with one seed.
const genFile = join(dir, 'generator', 'generator.json');
const gen = existsSync(genFile) ? (JSON.parse(readFileSync(genFile, 'utf8')) as { steps: number; guidance: number }) : undefined;
async function imagine(cond: Float32Array, seed: number): Promise<Float32Array> {
  if (!gen) throw new Error('no generator');
  const rand = seededRandom(seed);
  const x = new Float32Array(256).map(() => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand()));
  for (let k = 0; k < gen.steps; k++) {
    const lat = new ort.Tensor('float32', Float32Array.from([...x, ...x]), [2, 4, 8, 8]);
    const t = new ort.Tensor('float32', new Float32Array(2).fill(k / gen.steps), [2]);
    const c = new ort.Tensor('float32', Float32Array.from([...cond, ...new Float32Array(256)]), [2, 256]);
    const v = (await sessions['denoiser.onnx'].run({ latents: lat, timestep: t, condition: c })).velocity.data as Float32Array;
    for (let i = 0; i < 256; i++) x[i] += (v[256 + i] + gen.guidance * (v[i] - v[256 + i])) / gen.steps;
  }
  return (await sessions['decoder.onnx'].run({ latents: new ort.Tensor('float32', x, [1, 4, 8, 8]) })).pixels.data as Float32Array;
}

// Rosetta's own loader (what `--model DIR` does).
const space = await loadSpace({ model: dir }, resolveRuntime({ offline: true }));
const [tv] = await space.embedTexts(['pizza']);
check(
  tv.length === 256 && Math.abs(Math.hypot(...tv) - 1) < 1e-3,
  `Rosetta's loader: text vector ${tv.length}-d, |v| = ${Math.hypot(...tv).toFixed(4)}`,
);
const px = new Uint8Array(32 * 32 * 3).fill(255);
for (let i = 300; i < 700; i++) px[i * 3] = 200;
const [iv] = await space.embedImages!([{ data: px, width: 32, height: 32, channels: 3 }]);
check(
  iv.length === 256,
  `Rosetta's loader: image vector ${iv.length}-d, cos(text, image) ${tv.reduce((a, v, i) => a + v * iv[i], 0).toFixed(3)}`,
);
const samples = new Float32Array(16000 * 2).map((_, i) => 0.1 * Math.sin(i / 8));
const [av] = await space.embedAudio!([{ samples, sampleRate: 16000 }]);
check(av.length === 256, `Rosetta's loader: audio vector ${av.length}-d`);
if (!gen) console.log('--   no generator/ in this directory (trained without the generator stage)');
else {
  const a = await imagine(Float32Array.from(tv), 7),
    b = await imagine(Float32Array.from(tv), 7),
    c = await imagine(Float32Array.from(tv), 8);
  check(
    a.length === 3 * 32 * 32 && a.every((v, i) => v === b[i]) && a.every((v) => v >= 0 && v <= 1),
    `generator (onnxruntime-node, ${gen.steps} steps, guidance ${gen.guidance}): 32×32 RGB in [0,1], same seed → identical pixels`,
  );
  check(
    a.some((v, i) => Math.abs(v - c[i]) > 1e-3),
    'generator: another seed → another picture',
  );
}
if (problems.length) {
  console.error(`${problems.length} problem(s)`);
  process.exit(1);
}
