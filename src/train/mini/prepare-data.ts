import { readFileSync } from 'node:fs';
import { loadEmojiPairs, loadGroupNames, type EmojiPair } from '../data/emoji-pairs.js';
import { learnVocabulary, WordPieceTokenizer } from '../tokenizer/wordpiece.js';
import { PLAIN, randomAugment, readRgba, renderPixels, samplePatches, type Rgba } from '../features/image-input.js';
import { learnPatchFilters } from '../features/patch-kmeans.js';
import { logMel, speakAll } from '../features/speech.js';
import { decodeWav, resample } from '../../media/audio/index.js';
import { applyStats, featureStats, fixedLayerSession, imageFeatureCount, audioFeatureCount, type FixedLayer } from '../model/fixed-layers.js';
import { gaussian, MINI, rng } from '../model/mini-architecture.js';

export type Progress = (p: { phase: string; step: number; total: number; loss?: number }) => void;

/** Everything the training loop needs, with the fixed first layers already learned. */
export interface MiniData {
  languages: string[];
  train: EmojiPair[];
  heldOut: EmojiPair[];
  groups: Record<string, Record<string, string>>;
  tokenizer: WordPieceTokenizer;
  images: Map<string, Rgba>;
  imageLayer: FixedLayer;
  /** Standardised image features of the training emoji, one array [nTrain, F] per augmented view. */
  imageViews: Float32Array[];
  audioLayer: FixedLayer;
  audioViews: Float32Array[];
  audioFrames: number;
  /** Spoken-label wav per emoji id (English voice). */
  speech: Map<string, string>;
}

export interface PrepareOptions { seed: number; languages: string[]; imageViews?: number; audioViews?: number; onProgress?: Progress }

/** Words the trainer reads for one emoji in one language (label, keywords, group name). */
export function sampleText(pair: EmojiPair, lang: string, groups: Record<string, Record<string, string>>, rand: () => number): string {
  const r = rand();
  const tags = pair.tags[lang].filter((t) => !/^[A-Z]{2}$/.test(t));
  const pick = (n: number) => [...tags].sort(() => rand() - 0.5).slice(0, n).join(' ');
  if (r < 0.5 || tags.length === 0) return pair.labels[lang];
  if (r < 0.75) return `${pair.labels[lang]} ${pick(1 + Math.floor(rand() * 3))}`;
  if (r < 0.95) return pick(1 + Math.floor(rand() * 3));
  return groups[pair.group]?.[lang] ?? pair.labels[lang];
}

export async function wavTo16k(path: string, speed = 1): Promise<Float32Array> {
  // No low-pass: the v3 recipe resampled without one, and its rebuilds stay byte-identical.
  return resample(decodeWav(readFileSync(path), path), MINI.sampleRate, { speed, lowPass: false }).samples;
}

/** The WordPiece vocabulary, learned from training text only: held-out labels meet it as unseen text. */
export function buildTokenizer(train: EmojiPair[], languages: string[], groups: Record<string, Record<string, string>>): WordPieceTokenizer {
  const texts: string[] = [];
  for (const p of train) for (const l of languages) texts.push(p.labels[l], ...p.tags[l]);
  for (const g of Object.values(groups)) texts.push(...Object.values(g));
  return new WordPieceTokenizer(learnVocabulary(texts, { vocabSize: MINI.vocabSize }), MINI.maxTextLength);
}

/** Spoken English labels (cached wavs) → k-means audio layer and standardised features of the training emoji, one array per view (clean, then speed/noise-augmented). */
export async function prepareAudioFeatures(pairs: EmojiPair[], train: EmojiPair[], languages: string[], seed: number, nAudio: number, rand: () => number, progress: Progress) {
  // Audio: English spoken labels (cached wavs), clean plus speed/noise-augmented views.
  const spoken = await speakAll(pairs.map((p) => ({ text: p.labels.en ?? p.labels[languages[0]], voice: 'en' })), (n) => { if (n % 200 === 0) progress({ phase: 'speech', step: n, total: pairs.length }); });
  const speech = new Map(pairs.map((p, i) => [p.id, spoken[i]]));
  const mels: Float32Array[][] = [];
  let frames = 0;
  for (let v = 0; v < nAudio; v++) {
    const view: Float32Array[] = [];
    for (const p of train) {
      let wav = await wavTo16k(speech.get(p.id)!, v === 0 ? 1 : 0.88 + rand() * 0.24);
      if (v > 0) { const amp = 0.002 + rand() * 0.01, gain = 0.6 + 0.8 * rand(); wav = wav.map((s) => s * gain + amp * gaussian(rand)); }
      // The clean view is centred; augmented views crop long labels at a seeded random offset.
      const m = await logMel(wav, v === 0 ? 0.5 : rand());
      frames = m.frames;
      view.push(m.data);
    }
    mels.push(view);
    progress({ phase: 'audio-features', step: v + 1, total: nAudio });
  }
  const fDim = MINI.audioPatchFrames * MINI.melBins;
  const audPatches = new Float32Array(20000 * fDim);
  for (let i = 0; i < 20000; i++) {
    const m = mels[0][Math.floor(rand() * train.length)];
    const t = Math.floor(rand() * (frames - MINI.audioPatchFrames + 1));
    audPatches.set(m.subarray(t * MINI.melBins, t * MINI.melBins + fDim), i * fDim);
  }
  const audioLayer: FixedLayer = { filters: learnPatchFilters(audPatches, fDim, MINI.audioFilters, seed + 1, 8) };
  const rawAudio = await fixedLayerSession('audio', audioLayer, frames);
  const perMel = frames * MINI.melBins;
  const rawA: Float32Array[] = [];
  for (const view of mels) {
    const x = new Float32Array(view.length * perMel);
    view.forEach((m, i) => x.set(m, i * perMel));
    rawA.push(await rawAudio(x, view.length));
  }
  const audStats = featureStats(rawA[0], audioFeatureCount());
  audioLayer.mean = audStats.mean; audioLayer.std = audStats.std;
  const audioViews = rawA.map((r) => applyStats(r, audStats));
  return { speech, audioLayer, audioViews, frames };
}

export async function prepareMiniData(opts: PrepareOptions): Promise<MiniData> {
  const { seed, languages } = opts;
  const progress = opts.onProgress ?? (() => {});
  const rand = rng(seed ^ 0x5eed);
  const pairs = loadEmojiPairs({ languages });
  const train = pairs.filter((p) => !p.heldOut);
  const heldOut = pairs.filter((p) => p.heldOut);
  const groups = loadGroupNames(languages);

  const tokenizer = buildTokenizer(train, languages, groups);
  progress({ phase: 'tokenizer', step: 1, total: 1 });

  const images = new Map<string, Rgba>();
  for (const p of pairs) images.set(p.id, await readRgba(p.imagePath));
  const plain = train.map((p) => renderPixels(images.get(p.id)!, PLAIN));
  const augSample = train.slice(0, 600).map((p) => renderPixels(images.get(p.id)!, randomAugment(rand)));
  const imgPatches = samplePatches([...plain, ...augSample], MINI.imagePatch, 20000, rand);
  const imageLayer: FixedLayer = { filters: learnPatchFilters(imgPatches, 3 * MINI.imagePatch ** 2, MINI.imageFilters, seed, 10) };
  progress({ phase: 'image-filters', step: 1, total: 1 });
  const rawImage = await fixedLayerSession('image', imageLayer);
  const per = 3 * MINI.imageSize ** 2;
  const nViews = opts.imageViews ?? 6;
  const rawViews: Float32Array[] = [];
  for (let v = 0; v < nViews; v++) {
    const x = new Float32Array(train.length * per);
    train.forEach((p, i) => x.set(v === 0 ? plain[i] : renderPixels(images.get(p.id)!, randomAugment(rand)), i * per));
    rawViews.push(await rawImage(x, train.length));
    progress({ phase: 'image-features', step: v + 1, total: nViews });
  }
  const imgStats = featureStats(rawViews[0], imageFeatureCount());
  imageLayer.mean = imgStats.mean; imageLayer.std = imgStats.std;
  const imageViews = rawViews.map((r) => applyStats(r, imgStats));

  const { speech, audioLayer, audioViews, frames } = await prepareAudioFeatures(pairs, train, languages, seed, opts.audioViews ?? 2, rand, progress);
  return { languages, train, heldOut, groups, tokenizer, images, imageLayer, imageViews, audioLayer, audioViews, audioFrames: frames, speech };
}
