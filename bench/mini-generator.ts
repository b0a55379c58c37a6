/**
 * rosetta-mini v5 generator, judged by a model that did not condition it, and checked for copies of training pictures.
 *
 *   node --import tsx bench/mini-generator.ts <modelDir> [--judge DIR] [--concepts N] [--prompts 48] [--samples 4]
 *                                             [--candidates 200] [--seed 1] [--guidance G] [--steps N] [--top5-only]
 *                                             [--json out.json]
 *
 * Judge: rosetta-mini v4 (recipe 4: k-means pyramid patch features + closed-form CCA, no learned conv net, no
 * teacher) — another recipe on other features, available offline; `models/rosetta-mini` when it is still v4, else
 * read from git (V4_COMMIT), or `--judge DIR`. It is not independent of the data (v4 trained on the same emoji
 * styles), so its own top-5 on real training pictures of the same prompts is printed beside it as its ceiling.
 * The generator shipped with v4 (conditioned on v4's own space) needs another judge: `--judge` a recipe-5 fit with
 * the frozen ImageNet MobileNetV2 image tower and the MiniLM-taught text tower (other features, other training).
 *
 * Prompts: English CLDR labels of `--prompts` concepts (by a fixed hash) among `--candidates` candidate concepts; a
 * sample counts when the prompt's label is in the judge's top 5 of the candidates' labels (text→image cosine in the
 * judge's space). The same figure by the conditioning model itself (self) is printed too. For a held-out fit
 * (rosetta.json fit = heldout) prompts of held-out concepts are reported apart (unseen concepts).
 * Copies: each sample's nearest training picture (the model's training set rebuilt through the same door:
 * emoji styles but the held-out one, 32 px) by pixel RMSE (0–255) and by the judge's image-vector cosine, with the
 * same figures between distinct training pictures as a scale; a near-copy is RMSE ≤ 8 or judge cosine ≥ 0.95.
 * `--concepts N` rebuilds the smoke set (the first N concepts by export-data.ts's hash), e.g. 120 for run.sh --smoke.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadStylePictures } from '../src/train/data/style-pictures.js';
import { loadModelPixels } from '../src/train/data/raster-cache.js';
import { PICTURE_SOURCES } from '../src/train/data/picture-sources.js';
import { loadSpace } from '../src/spaces/load-space.js';
import { resolveRuntime } from '../src/models/runtime-options.js';
import { imagineMini, readGeneratorConfig } from '../src/generate/index.js';
import { dot } from '../src/vectors/vector-math.js';
import type { RgbImage } from '../src/types.js';
import { percentile, printTable } from './lib.js';

/** The last commit whose models/rosetta-mini is recipe v4 (the judge when the shipped model is v5). */
const V4_COMMIT = 'a1c0e65';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const NEAR_RMSE = 8;
const NEAR_COSINE = 0.95;

const { values: o, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    judge: { type: 'string' },
    concepts: { type: 'string' },
    prompts: { type: 'string', default: '48' },
    samples: { type: 'string', default: '4' },
    candidates: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    guidance: { type: 'string' },
    steps: { type: 'string' },
    'top5-only': { type: 'boolean' },
    json: { type: 'string' },
  },
});
if (!positionals[0]) throw new Error('usage: node --import tsx bench/mini-generator.ts <modelDir> [--judge DIR] [--concepts N] …');
const modelDir = resolve(positionals[0]);
const manifest = JSON.parse(readFileSync(join(modelDir, 'rosetta.json'), 'utf8')) as { recipeVersion: number; fit?: string };
const gen = readGeneratorConfig(modelDir); // a model without generator/ stops here with its coded error
// A generator trained for an existing space (train.py --condition-space) records its own fit in generator.json.
const genSpace = (JSON.parse(readFileSync(join(modelDir, 'generator', 'generator.json'), 'utf8')) as { space?: { fit?: string } }).space;
const fit = genSpace?.fit ?? manifest.fit;
const runtime = resolveRuntime({ offline: true });
const t0 = Date.now();
const log = (m: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${m}`);

// ---- the judge
let judgeDir = o.judge ? resolve(o.judge) : join(REPO, 'models', 'rosetta-mini');
let cleanup = '';
const recipeOf = (d: string) => (JSON.parse(readFileSync(join(d, 'rosetta.json'), 'utf8')) as { recipeVersion: number }).recipeVersion;
if (!o.judge && (!existsSync(join(judgeDir, 'rosetta.json')) || recipeOf(judgeDir) !== 4)) {
  cleanup = mkdtempSync(join(tmpdir(), 'rosetta-v4-judge-'));
  execFileSync('sh', ['-c', `git archive ${V4_COMMIT} models/rosetta-mini | tar -x -C '${cleanup}'`], { cwd: REPO });
  judgeDir = join(cleanup, 'models', 'rosetta-mini');
}
if (resolve(judgeDir) === modelDir || recipeOf(judgeDir) === manifest.recipeVersion) {
  throw new Error(
    `the judge (${judgeDir}, recipe ${recipeOf(judgeDir)}) must not be the conditioning model's recipe (${manifest.recipeVersion}); pass --judge`,
  );
}

// ---- concepts, prompts, training pictures (the model's training set, rebuilt through the same door)
const rank = (salt: string, s: string) => createHash('sha256').update(`${salt}:${s}`).digest().readUInt32BE(0);
const emojiStyles = PICTURE_SOURCES.filter((s) => s.kind !== 'icon').map((s) => s.style);
let pictures = loadStylePictures({ languages: ['en'], styles: emojiStyles }).filter((p) => p.emoji);
if (o.concepts) {
  const keep = new Set(
    [...new Set(pictures.map((p) => p.concept))].sort((a, b) => rank('v5', a) - rank('v5', b)).slice(0, Number(o.concepts)),
  );
  pictures = pictures.filter((p) => keep.has(p.concept));
}
const heldoutFit = fit === 'heldout';
const training = pictures.filter((p) => !p.heldOutStyle && !(heldoutFit && p.heldOutConcept));
const labelOf = new Map<string, string>(pictures.map((p) => [p.concept, p.emoji!.labels.en]));
const unseen = new Set(pictures.filter((p) => heldoutFit && p.heldOutConcept).map((p) => p.concept));
// Distinct labels only (a few CLDR labels repeat across skin-tone variants), ordered by a fixed hash.
const byLabel = new Map<string, string>();
for (const c of [...labelOf.keys()].sort((a, b) => rank('bench', a) - rank('bench', b)))
  if (!byLabel.has(labelOf.get(c)!)) byLabel.set(labelOf.get(c)!, c);
const candidates = [...byLabel.values()].slice(0, Number(o.candidates));
const prompts = candidates.slice(0, Math.min(Number(o.prompts), candidates.length));
const samplesPer = Number(o.samples);
// The sampler's settings (default: generator.json's), to sweep guidance and steps without retraining.
const steps = o.steps ? Number(o.steps) : gen.steps;
const guidance = o.guidance ? Number(o.guidance) : gen.guidance;
const seed = Number(o.seed);
log(
  `${modelDir} (recipe ${manifest.recipeVersion}, fit ${fit ?? '?'}, ${steps} steps, guidance ${guidance}); ` +
    `judge ${judgeDir} (recipe ${recipeOf(judgeDir)})`,
);
log(
  `${prompts.length} prompts × ${samplesPer} samples, ${candidates.length} candidate labels; rasterising ${training.length} training pictures (cached)`,
);
const trainPixels = await loadModelPixels(training);
const S = gen.imageSize;

// ---- generate
const model = await loadSpace({ model: modelDir }, runtime);
const samples: { prompt: string; concept: string; image: RgbImage; best: boolean }[] = [];
const tg = Date.now();
for (const concept of prompts) {
  const r = await imagineMini(model, modelDir, labelOf.get(concept)!, { samples: samplesPer, seed, steps, guidance });
  r.candidates.forEach((s, k) => samples.push({ prompt: labelOf.get(concept)!, concept, image: s.image, best: k === 0 }));
}
const msPerPicture = (Date.now() - tg) / samples.length;
log(
  `${samples.length} samples in ${((Date.now() - tg) / 1000).toFixed(1)} s (${msPerPicture.toFixed(0)} ms per ${S} px picture, ranking included)`,
);

// ---- judge top-5
const judge = await loadSpace({ model: judgeDir }, runtime);
const candLabels = candidates.map((c) => labelOf.get(c)!);
const candIndex = new Map(candidates.map((c, i) => [c, i]));
async function top5(space: typeof judge, images: RgbImage[], concepts: string[]): Promise<{ top1: boolean; top5: boolean }[]> {
  const tv = await space.embedTexts(candLabels);
  const iv = await space.embedImages!(images);
  return iv.map((v, i) => {
    const s = tv.map((t) => dot(v, t));
    const target = s[candIndex.get(concepts[i])!];
    const r = s.filter((x) => x > target).length;
    return { top1: r === 0, top5: r < 5 };
  });
}
const frac = (xs: boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);
const byJudge = await top5(
  judge,
  samples.map((s) => s.image),
  samples.map((s) => s.concept),
);
const bySelf = await top5(
  model,
  samples.map((s) => s.image),
  samples.map((s) => s.concept),
);
// Ceiling: the judge on a real training picture of each prompt (Google style when there is one).
const real = prompts
  .map((c) => training.findIndex((p) => p.concept === c && p.style === 'google'))
  .map((i, k) => (i >= 0 ? i : training.findIndex((p) => p.concept === prompts[k])));
const realOk = real.map((i) => i >= 0);
const realImages = real.filter((i) => i >= 0).map((i) => ({ data: trainPixels[i], width: S, height: S, channels: 3 as const }));
const byJudgeReal = await top5(
  judge,
  realImages,
  prompts.filter((_, k) => realOk[k]),
);

const rows: Record<string, string | number>[] = [];
const groups: [string, (s: (typeof samples)[number]) => boolean][] = [
  ['all samples', () => true],
  ['best sample per prompt', (s) => s.best],
];
if (unseen.size) groups.push(['unseen concepts', (s) => unseen.has(s.concept)], ['seen concepts', (s) => !unseen.has(s.concept)]);
for (const [name, keep] of groups) {
  const idx = samples.map((s, i) => (keep(s) ? i : -1)).filter((i) => i >= 0);
  rows.push({
    samples: name,
    n: String(idx.length),
    'judge top-5': frac(idx.map((i) => byJudge[i].top5)),
    'judge top-1': frac(idx.map((i) => byJudge[i].top1)),
    'self top-5': frac(idx.map((i) => bySelf[i].top5)),
  });
}
rows.push({
  samples: 'real training picture per prompt (judge ceiling)',
  n: String(realImages.length),
  'judge top-5': frac(byJudgeReal.map((r) => r.top5)),
  'judge top-1': frac(byJudgeReal.map((r) => r.top1)),
  'self top-5': '—',
});
rows.push({
  samples: 'chance',
  n: String(candidates.length),
  'judge top-5': Math.min(1, 5 / candidates.length),
  'judge top-1': 1 / candidates.length,
  'self top-5': Math.min(1, 5 / candidates.length),
});

if (o['top5-only']) {
  printTable(`Prompt in the top 5 of the candidate labels (${steps} steps, guidance ${guidance})`, rows);
  if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  process.exit(0);
}

// ---- near-duplicates against the training pictures
const rmse = (a: Uint8Array, b: Uint8Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s / a.length);
};
function nearestPixels(img: Uint8Array, skip = -1): { d: number; i: number } {
  let best = { d: Infinity, i: -1 };
  for (let i = 0; i < trainPixels.length; i += 1)
    if (i !== skip) {
      const d = rmse(img, trainPixels[i]);
      if (d < best.d) best = { d, i };
    }
  return best;
}
log(`nearest training pictures: pixels, then the judge's vectors of ${training.length} pictures`);
const nearPix = samples.map((s) => nearestPixels(s.image.data));
const trainVecs: Float32Array[] = [];
for (let i = 0; i < trainPixels.length; i += 256) {
  trainVecs.push(
    ...(await judge.embedImages!(trainPixels.slice(i, i + 256).map((data) => ({ data, width: S, height: S, channels: 3 as const })))),
  );
}
const sampleVecs = await judge.embedImages!(samples.map((s) => s.image));
const nearest = (v: Float32Array, skip = -1) => {
  let best = { c: -Infinity, i: -1 };
  trainVecs.forEach((t, i) => {
    if (i !== skip) {
      const c = dot(v, t);
      if (c > best.c) best = { c, i };
    }
  });
  return best;
};
const nearVec = sampleVecs.map((v) => nearest(v));
// Scale: the same figures between distinct training pictures (first 200 by a fixed hash).
const ref = training
  .map((_, i) => i)
  .sort((a, b) => rank('ref', training[a].style + training[a].name) - rank('ref', training[b].style + training[b].name))
  .slice(0, 200);
const refPix = ref.map((i) => nearestPixels(trainPixels[i], i).d);
const refVec = ref.map((i) => nearest(trainVecs[i], i).c);
const dist = (name: string, xs: number[], near: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    measure: name,
    n: String(xs.length),
    min: s[0],
    p5: percentile(s, 5),
    median: percentile(s, 50),
    p95: percentile(s, 95),
    max: s[s.length - 1],
    'near-copies': String(near),
  };
};
const copyRows = [
  dist(
    'samples: nearest training picture, pixel RMSE (0–255)',
    nearPix.map((n) => n.d),
    nearPix.filter((n) => n.d <= NEAR_RMSE).length,
  ),
  dist('training pictures: nearest other training picture, pixel RMSE', refPix, refPix.filter((d) => d <= NEAR_RMSE).length),
  dist(
    'samples: nearest training picture, judge cosine',
    nearVec.map((n) => n.c),
    nearVec.filter((n) => n.c >= NEAR_COSINE).length,
  ),
  dist('training pictures: nearest other training picture, judge cosine', refVec, refVec.filter((c) => c >= NEAR_COSINE).length),
];
const sameConcept = frac(nearVec.map((n, i) => training[n.i].concept === samples[i].concept));

// ---- diversity within a prompt
const pairRmse: number[] = [];
const pairCos: number[] = [];
for (let p = 0; p < samples.length; p += samplesPer) {
  for (let a = p; a < p + samplesPer; a += 1)
    for (let b = a + 1; b < p + samplesPer; b += 1) {
      pairRmse.push(rmse(samples[a].image.data, samples[b].image.data));
      pairCos.push(dot(sampleVecs[a], sampleVecs[b]));
    }
}
const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;

console.log(
  `\nrosetta-mini generator bench — ${modelDir} (recipe ${manifest.recipeVersion}, fit ${fit ?? '?'}), ` +
    `judge ${o.judge ? `${judgeDir} (recipe ${recipeOf(judgeDir)})` : `rosetta-mini v4 ${cleanup ? `(git ${V4_COMMIT})` : judgeDir}`}`,
);
console.log(
  `${prompts.length} prompts × ${samplesPer} samples (seed ${seed}), ${candidates.length} candidate labels, ${training.length} training pictures; ` +
    `${msPerPicture.toFixed(0)} ms per ${S} px picture (batch of ${samplesPer}, ${steps} steps, guidance ${guidance}, ranking included)`,
);
printTable('Prompt in the top 5 of the candidate labels', rows);
printTable(`Nearest training picture (near-copy: RMSE ≤ ${NEAR_RMSE} or judge cosine ≥ ${NEAR_COSINE})`, copyRows);
console.log(`\nnearest training picture by the judge is of the prompt's concept for ${(100 * sameConcept).toFixed(1)} % of samples`);
console.log(
  `diversity within a prompt: mean pairwise pixel RMSE ${mean(pairRmse).toFixed(1)}, ` +
    `mean pairwise judge cosine ${mean(pairCos).toFixed(3)} (${pairRmse.length} pairs)`,
);
if (o.json) {
  const measured = {
    modelDir,
    judgeDir: o.judge ? judgeDir : `git ${V4_COMMIT}`,
    prompts: prompts.length,
    samplesPer,
    seed,
    candidates: candidates.length,
    msPerPicture,
    top5: rows,
    copies: copyRows,
    sameConcept,
    diversity: { pixelRmse: mean(pairRmse), judgeCosine: mean(pairCos) },
  };
  writeFileSync(o.json, `${JSON.stringify(measured, null, 2)}\n`);
}
if (cleanup) rmSync(cleanup, { recursive: true, force: true });
