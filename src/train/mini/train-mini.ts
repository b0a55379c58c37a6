import { Adam } from '../optim/adam.js';
import { StepRunner } from '../model/step-runner.js';
import { initParams, MINI, paramShapes, RECIPE_VERSION, rng, type ParamName, type Params } from '../model/mini-architecture.js';
import { audioFeatureCount, imageFeatureCount } from '../model/fixed-layers.js';
import { buildAudioModel, buildClipModel, buildTextModel, buildVisionModel, roundParamsToHalf } from '../export/mini-graphs.js';
import { writeHubLayout, type MiniManifest } from '../export/hub-layout.js';
import { DEFAULT_LANGUAGES } from '../data/emoji-pairs.js';
import { expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { MiniEncoders } from './mini-encoders.js';
import { evaluateMini, type MiniQuality } from './evaluate-mini.js';
import { buildTokenizer, prepareAudioFeatures, sampleText, type MiniData, type Progress } from './prepare-data.js';
import { loadEmojiPairs, loadGroupNames } from '../data/emoji-pairs.js';
import { readRgba, type Rgba } from '../features/image-input.js';
import { buildCcaAudioModel, buildCcaClipModel, buildCcaTextModel, buildCcaVisionModel, roundRowsToInt8, roundToHalf, type CcaTowers } from '../export/cca-graphs.js';
import { fitAudioProjection, fitCcaTowers } from './cca-mini.js';

export interface TrainMiniOptions {
  /** Directory to write (hub layout: `clip/`, `clap/`, `rosetta.json`). */
  outDir: string;
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** emojibase locales (default en, de, fr, es, ja); `en` is required for the audio tower. */
  languages?: string[];
  /** Passes over the training emoji (default 120). */
  epochs?: number;
  onProgress?: Progress;
}

export interface TrainMiniResult { manifest: MiniManifest; metrics: MiniQuality & { seconds: number; finalLoss: number } }

const BATCH = 256;
const AUDIO_BATCH = 128;

function makeBag(rows: number[][], vocab: number): Float32Array {
  const bag = new Float32Array(rows.length * vocab);
  rows.forEach((ids, r) => { for (const id of ids) bag[r * vocab + id] += 1 / ids.length; });
  return bag;
}

/** Builds the exported graphs from parameters and fixed layers. */
export function buildMiniGraphs(params: Params, data: Pick<MiniData, 'imageLayer' | 'audioLayer' | 'audioFrames'>) {
  return {
    textModel: buildTextModel(params),
    visionModel: buildVisionModel(params, data.imageLayer),
    clipModel: buildClipModel(params, data.imageLayer),
    audioModel: buildAudioModel(params, data.audioLayer, data.audioFrames),
  };
}

/**
 * Regularisation knobs. The recipe keeps only a light weight decay: feature dropout/noise and heavier decay
 * were measured to lower held-out recall (en R@10 0.33 and 0.31 against 0.36 at 60 vs 120 epochs).
 */
export interface Regularisation { weightDecay: number; featureDropout: number; featureNoise: number }
export const RECIPE_REGULARISATION: Regularisation = { weightDecay: 1e-4, featureDropout: 0, featureNoise: 0 };

/** Copies one feature row with dropout (scaled) and Gaussian noise: cheap augmentation in feature space. */
function noisyRow(src: Float32Array, dst: Float32Array, at: number, reg: Regularisation, rand: () => number): void {
  if (reg.featureDropout === 0 && reg.featureNoise === 0) { dst.set(src, at); return; }
  const keep = 1 - reg.featureDropout;
  for (let j = 0; j < src.length; j++) dst[at + j] = rand() < keep ? src[j] / keep + reg.featureNoise * (rand() + rand() + rand() - 1.5) * 2 : 0;
}

/** Trains the parameters after the fixed layers with the ONNX step graph and Adam. */
export async function trainParams(data: MiniData, seed: number, epochs: number, progress: Progress, reg: Regularisation = RECIPE_REGULARISATION): Promise<{ params: Params; finalLoss: number }> {
  const spec = { vocab: data.tokenizer.vocab.length, imageFeatures: imageFeatureCount(), audioFeatures: audioFeatureCount(), batch: BATCH, audioBatch: AUDIO_BATCH, audioWeight: 0.5 };
  const shapes = paramShapes(spec.vocab, spec.imageFeatures, spec.audioFeatures);
  const params = initParams(shapes, seed);
  const runner = await StepRunner.create(spec, shapes);
  const adam = new Adam({ lr: 2e-3, weightDecay: 1e-4 });
  const rand = rng(seed * 7919 + 1);
  const n = data.train.length;
  const stepsPerEpoch = Math.floor(n / BATCH);
  const total = stepsPerEpoch * epochs;
  const F = spec.imageFeatures, A = spec.audioFeatures;
  let finalLoss = NaN, step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
    for (let s = 0; s < stepsPerEpoch; s++, step++) {
      const idx = order.slice(s * BATCH, (s + 1) * BATCH);
      const aIdx = Array.from({ length: AUDIO_BATCH }, () => order[Math.floor(rand() * n)]).filter((v, i, arr) => arr.indexOf(v) === i);
      while (aIdx.length < AUDIO_BATCH) { const c = Math.floor(rand() * n); if (!aIdx.includes(c)) aIdx.push(c); }
      const rows = idx.map((i) => data.tokenizer.encode(sampleText(data.train[i], data.languages[Math.floor(rand() * data.languages.length)], data.groups, rand)));
      for (const i of aIdx) rows.push(data.tokenizer.encode(data.train[i].labels.en));
      const imageFeatures = new Float32Array(BATCH * F);
      idx.forEach((i, r) => { const v = data.imageViews[Math.floor(rand() * data.imageViews.length)]; noisyRow(v.subarray(i * F, (i + 1) * F), imageFeatures, r * F, reg, rand); });
      const audioFeatures = new Float32Array(AUDIO_BATCH * A);
      aIdx.forEach((i, r) => { const v = data.audioViews[Math.floor(rand() * data.audioViews.length)]; noisyRow(v.subarray(i * A, (i + 1) * A), audioFeatures, r * A, reg, rand); });
      const res = await runner.run(params, { bag: makeBag(rows, spec.vocab), imageFeatures, audioFeatures });
      // Warm-up then cosine decay.
      const lr = 2e-3 * Math.min(1, (step + 1) / 30) * 0.5 * (1 + Math.cos((Math.PI * step) / total));
      adam.step();
      for (const name of runner.names) adam.update(name, params[name].data, res.grads[name]!, name === 'logScale' ? lr * 0.5 : lr, name.startsWith('b') || name === 'logScale' ? 0 : reg.weightDecay);
      params.logScale.data[0] = Math.min(params.logScale.data[0], Math.log(100));
      finalLoss = res.loss;
      if (step % 10 === 0 || step === total - 1) progress({ phase: 'train', step: step + 1, total, loss: res.loss });
    }
  }
  await runner.release();
  return { params, finalLoss };
}

/**
 * Rebuilds rosetta-mini (recipe v3) from scratch: the classical CCA pipeline turned into exportable towers
 * (pyramid-pooled k-means features vs WordPiece-token TF-IDF, `MINI_CCA`), an audio projection fitted to the new text vectors,
 * export in hub layout, held-out evaluation. `epochs` is ignored since v2 (closed form); the v1 trainer
 * (`trainParams`) stays for adapters and tests.
 * @example await trainMini({ outDir: '/abs/models/rosetta-mini', onProgress: console.log })
 */
export async function trainMini(options: TrainMiniOptions): Promise<TrainMiniResult> {
  if (!options || typeof options.outDir !== 'string' || options.outDir === '') throw invalidArgument('outDir', 'a directory path', options?.outDir);
  const seed = options.seed ?? 1;
  if (options.epochs !== undefined) expectPositiveInt('epochs', options.epochs, 10000);
  const languages = options.languages ?? [...DEFAULT_LANGUAGES];
  if (!languages.includes('en')) throw invalidArgument('languages', "a list that includes 'en' (the audio tower speaks English labels)", languages);
  const progress = options.onProgress ?? (() => {});
  const t0 = Date.now();
  const rand = rng(seed ^ 0x5eed);
  const pairs = loadEmojiPairs({ languages });
  const train = pairs.filter((p) => !p.heldOut), heldOut = pairs.filter((p) => p.heldOut);
  const groups = loadGroupNames(languages);
  const tokenizer = buildTokenizer(train, languages, groups);
  const images = new Map<string, Rgba>();
  for (const p of pairs) images.set(p.id, await readRgba(p.imagePath));
  progress({ phase: 'image-text-cca', step: 0, total: 1 });
  const towers = await fitCcaTowers(train, languages, images, tokenizer, seed);
  roundToHalf(towers.Wimg);
  roundRowsToInt8(towers.table, MINI.dim);
  const V = tokenizer.vocab.length;
  const textModel = buildCcaTextModel({ ...towers, audioLayer: { filters: towers.filters }, Waud: new Float32Array(0), bAud: new Float32Array(0) }, V);
  progress({ phase: 'audio-features', step: 0, total: 1 });
  const audio = await prepareAudioFeatures(pairs, train, languages, seed, 2, rand, progress);
  const textOnly = await MiniEncoders.create({ textModel, visionModel: buildCcaVisionModel({ ...towers } as CcaTowers) }, tokenizer, audio.frames);
  const targets = await textOnly.embedTexts(train.map((p) => p.labels.en));
  const proj = await fitAudioProjection(audio.audioLayer, audio.audioViews, targets);
  roundToHalf(proj.W);
  const full: CcaTowers = { ...towers, audioLayer: audio.audioLayer, Waud: proj.W, bAud: proj.b };
  const graphs = { textModel, visionModel: buildCcaVisionModel(full), clipModel: buildCcaClipModel(full, V), audioModel: buildCcaAudioModel(full, audio.frames) };
  const enc = await MiniEncoders.create(graphs, tokenizer, audio.frames);
  progress({ phase: 'evaluate', step: 0, total: 1 });
  const quality = await evaluateMini(enc, { heldOut, languages, images, groups, speech: audio.speech });
  const seconds = (Date.now() - t0) / 1000;
  const manifest: MiniManifest = {
    name: 'rosetta-mini',
    recipeVersion: RECIPE_VERSION,
    dim: MINI.dim,
    modalities: ['text', 'image', 'audio'],
    languages,
    heldOut: heldOut.map((p) => p.id),
    logitScale: towers.logitScale,
    seed,
    layouts: { clip: 'clip', clap: 'clap' },
    metrics: {
      heldOutTextToImageR1En: quality.textToImage.en[1],
      heldOutTextToImageR10En: quality.textToImage.en[10],
      heldOutTextToAudioR10En: quality.textToAudio?.[10] ?? NaN,
      trainSeconds: Math.round(seconds),
    },
  };
  writeHubLayout(options.outDir, tokenizer, graphs, manifest, audio.frames);
  progress({ phase: 'done', step: 1, total: 1 });
  return { manifest, metrics: { ...quality, seconds, finalLoss: NaN } };
}

export type { ParamName };
