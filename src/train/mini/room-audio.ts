import type { EmojiPair } from '../../datasets/emoji-pairs.js';
import { learnPatchFilters } from '../features/patch-kmeans.js';
import { readFileSync } from 'node:fs';
import { decodeWav, resample } from '../../media/audio/index.js';
import { logMel } from '../features/speech.js';
import { randomVoice, speakAllInRooms, type Voice } from '../features/voices.js';
import { applyStats, audioFeatureCount, featureStats, audioLayerSession, type FixedLayer } from '../model/fixed-layers.js';
import { MINI, rng } from '../model/mini-architecture.js';

/** Progress of a long training phase. */
export type Progress = (p: { phase: string; step: number; total: number; loss?: number }) => void;

/** One spoken label: which emoji, in which language, in which voice, and its wav. */
export interface SpokenClip {
  pair: EmojiPair;
  language: string;
  voice: Voice;
  path: string;
}

/** Training clips per (emoji, language), each in its own random voice and room. */
export const CLIPS_PER_LABEL = 2;

export interface RoomAudio {
  train: SpokenClip[];
  /** Held-out emoji spoken by held-out voice variants, one clip per (emoji, language). */
  heldOutVoices: SpokenClip[];
  audioLayer: FixedLayer;
  /** Standardised audio features of the training clips [train, A]. */
  trainFeatures: Float32Array;
  frames: number;
}

/** A wav at 16 kHz as log-mel features, centred when longer than the window. */
export async function clipMel(path: string): Promise<Float32Array> {
  // sox writes the rooms at 16 kHz already; anything else goes through the one resampler.
  return (await logMel(resample(decodeWav(readFileSync(path), path), MINI.sampleRate).samples, 0.5)).data;
}

/** A clip to speak: the emoji, the language of its label, the voice, and whether it is a held-out-voice clip. */
export interface PlannedClip {
  pair: EmojiPair;
  language: string;
  voice: Voice;
  heldOut: boolean;
}

/**
 * Which labels are spoken in which voices, fixed by the seed: each training emoji's label in every language in
 * CLIPS_PER_LABEL random training voices; each held-out emoji's label once, in a held-out voice variant.
 */
export function planClips(pairs: EmojiPair[], languages: string[], seed: number): PlannedClip[] {
  const rand = rng(seed * 31 + 7);
  const items: PlannedClip[] = [];
  for (const pair of pairs) {
    for (const language of languages) {
      if (pair.heldOut) items.push({ pair, language, voice: randomVoice(language, rand, true), heldOut: true });
      else for (let k = 0; k < CLIPS_PER_LABEL; k++) items.push({ pair, language, voice: randomVoice(language, rand), heldOut: false });
    }
  }
  return items;
}

/** Speaks planned clips (cached wavs) and returns them with their paths. */
export async function speakClips(items: PlannedClip[], progress: Progress): Promise<(SpokenClip & { heldOut: boolean })[]> {
  const paths = await speakAllInRooms(
    items.map((it) => ({ text: it.pair.labels[it.language], voice: it.voice })),
    (n) => {
      if (n % 250 === 0) progress({ phase: 'speech', step: n, total: items.length });
    },
  );
  return items.map((it, i) => ({ ...it, path: paths[i] }));
}

/**
 * Spoken labels in every language (planClips) put in sox rooms; learns the audio tower's k-means layer on the
 * training clips and returns their standardised features, and the held-out-voice clips for measurement.
 */
export async function prepareRoomAudio(pairs: EmojiPair[], languages: string[], seed: number, progress: Progress): Promise<RoomAudio> {
  const rand = rng(seed * 31 + 11);
  const clips = await speakClips(planClips(pairs, languages, seed), progress);
  const train = clips.filter((c) => !c.heldOut).map(({ heldOut: _, ...c }) => c);
  const heldOutVoices = clips.filter((c) => c.heldOut).map(({ heldOut: _, ...c }) => c);
  const mels: Float32Array[] = [];
  for (const c of train) mels.push(await clipMel(c.path));
  const frames = mels[0].length / MINI.melBins;
  const fDim = MINI.audioPatchFrames * MINI.melBins;
  const patches = new Float32Array(20000 * fDim);
  for (let i = 0; i < 20000; i++) {
    const m = mels[Math.floor(rand() * mels.length)];
    const t = Math.floor(rand() * (frames - MINI.audioPatchFrames + 1));
    patches.set(m.subarray(t * MINI.melBins, t * MINI.melBins + fDim), i * fDim);
  }
  const audioLayer: FixedLayer = { filters: learnPatchFilters(patches, fDim, MINI.audioFilters, seed + 1, 8) };
  const raw = await audioLayerSession(audioLayer, frames);
  const per = frames * MINI.melBins,
    A = audioFeatureCount();
  const feats = new Float32Array(train.length * A);
  for (let s = 0; s < train.length; s += 512) {
    const chunk = mels.slice(s, s + 512);
    const x = new Float32Array(chunk.length * per);
    chunk.forEach((m, i) => x.set(m, i * per));
    feats.set(await raw(x, chunk.length), s * A);
  }
  const stats = featureStats(feats, A);
  audioLayer.mean = stats.mean;
  audioLayer.std = stats.std;
  progress({ phase: 'audio-features', step: 1, total: 1 });
  return { train, heldOutVoices, audioLayer, trainFeatures: applyStats(feats, stats), frames };
}
