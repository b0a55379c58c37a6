/**
 * Held-out quality of rosetta-mini beside chance, the same architecture untrained, and the classical baseline
 * (linear CCA: k-means patch features + colour histogram vs TF-IDF text), all measured in this run.
 *   npx tsx bench/mini-quality.ts [modelDir]      (default models/rosetta-mini)
 */
import { resolve } from 'node:path';
import { prepareMiniData } from '../src/train/mini/prepare-data.js';
import { MiniEncoders } from '../src/train/mini/mini-encoders.js';
import { evaluateMini, KS, type MiniQuality } from '../src/train/mini/evaluate-mini.js';
import { buildMiniGraphs } from '../src/train/mini/train-mini.js';
import { initParams, paramShapes } from '../src/train/model/mini-architecture.js';
import { audioFeatureCount, imageFeatureCount } from '../src/train/model/fixed-layers.js';
import { fitCcaBaseline, trainingTexts, words } from '../src/train/baseline/cca-baseline.js';
import { chanceRecall, recallAtK, similarity, transpose, zeroShotAccuracy } from '../src/train/eval/retrieval.js';
import { DEFAULT_LANGUAGES } from '../src/train/data/emoji-pairs.js';

const dir = resolve(process.argv[2] ?? 'models/rosetta-mini');
const languages = [...DEFAULT_LANGUAGES];
const t0 = Date.now();
const data = await prepareMiniData({ seed: 1, languages, imageViews: 1, audioViews: 1 });
const n = data.heldOut.length;

const untrainedParams = initParams(paramShapes(data.tokenizer.vocab.length, imageFeatureCount(), audioFeatureCount()), 1);
const untrained = await evaluateMini(await MiniEncoders.create(buildMiniGraphs(untrainedParams, data), data.tokenizer, data.audioFrames), data);

const tb = Date.now();
const cca = await fitCcaBaseline(data.train, languages, data.images);
const ccaImg = await cca.embedImages(data.heldOut);
const baseline: MiniQuality = { candidates: n, textToImage: {}, imageToText: {}, zeroShot: {} };
const groupKeys = Object.keys(data.groups).filter((g) => g !== 'component');
for (const lang of languages) {
  const sim = similarity(cca.embedTexts(data.heldOut.map((p) => p.labels[lang])), ccaImg, cca.dim);
  baseline.textToImage[lang] = recallAtK(sim, n, n, KS);
  baseline.imageToText[lang] = recallAtK(transpose(sim, n, n), n, n, KS);
  baseline.zeroShot[lang] = zeroShotAccuracy(ccaImg, cca.embedTexts(groupKeys.map((g) => data.groups[g][lang])), cca.dim, data.heldOut.map((p) => groupKeys.indexOf(p.group)));
}
const baselineSeconds = (Date.now() - tb) / 1000;
// The trained model is read last, so the figures above never depend on it.
const trained = await evaluateMini(await MiniEncoders.fromDirectory(dir), data);

const f = (v: number | undefined) => (v === undefined ? '   —  ' : v.toFixed(3).padStart(6));
console.log(`rosetta-mini held-out quality — ${dir}`);
console.log(`${n} held-out emoji (candidates per query); baseline fitted in ${baselineSeconds.toFixed(1)} s\n`);
console.log('task            lang  k   chance  untrained  baseline(CCA)  rosetta-mini');
for (const [task, key] of [['text→image', 'textToImage'], ['image→text', 'imageToText']] as const) {
  for (const lang of languages) for (const k of KS) {
    console.log(`${task.padEnd(15)} ${lang.padEnd(4)} ${String(k).padStart(2)}  ${f(chanceRecall(k, n))}  ${f(untrained[key][lang][k])}     ${f(baseline[key][lang][k])}         ${f(trained[key][lang][k])}`);
  }
}
for (const [task, key] of [['text→audio', 'textToAudio'], ['audio→text', 'audioToText']] as const) {
  for (const k of KS) console.log(`${task.padEnd(15)} en   ${String(k).padStart(2)}  ${f(chanceRecall(k, n))}  ${f(untrained[key]?.[k])}     ${f(undefined)}         ${f(trained[key]?.[k])}`);
}
for (const lang of languages) {
  console.log(`zero-shot group ${lang.padEnd(4)} acc ${f(1 / groupKeys.length)}  ${f(untrained.zeroShot[lang])}     ${f(baseline.zeroShot[lang])}         ${f(trained.zeroShot[lang])}`);
}

// Ceiling of label-only text→image on this split for a model that reads whole words: a query none of whose
// words occurs in any training text carries no information, so its target can only rank by chance — among
// all candidates, or among the held-out flags for "flag: <unseen country>". A sub-word model can still read
// spelling (German compounds split into seen pieces), so for it the ceiling is indicative, not strict.
const seen = new Set(data.train.flatMap((p) => trainingTexts(p, languages).flatMap(words)));
const flags = data.heldOut.filter((p) => p.group === 'flags').length;
for (const lang of languages) {
  let blindFlags = 0, blind = 0;
  for (const p of data.heldOut) {
    const w = words(p.labels[lang]).filter((x) => /\p{L}|\p{N}/u.test(x));
    if (p.group === 'flags' && w.filter((x) => !seen.has(x)).length >= w.length - 1 && w.some((x) => !seen.has(x))) blindFlags++;
    else if (w.every((x) => !seen.has(x))) blind++;
  }
  const cap = (k: number) => (n - blindFlags * (1 - Math.min(1, k / flags)) - blind * (1 - k / n)) / n;
  console.log(`word-level ceiling ${lang}: ${blind} queries with no seen word, ${blindFlags} flags named only by an unseen word → R@1 ≤ ${cap(1).toFixed(3)}, R@10 ≤ ${cap(10).toFixed(3)}`);
}
console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);
