import type { EmojiPair } from '../data/emoji-pairs.js';
import { PLAIN, renderPixels, type Rgba } from '../features/image-input.js';
import { logMel } from '../features/speech.js';
import { MINI } from '../model/mini-architecture.js';
import { recallAtK, similarity, transpose, zeroShotAccuracy } from '../eval/retrieval.js';
import type { MiniEncoders } from './mini-encoders.js';
import { wavTo16k } from './prepare-data.js';

export const KS = [1, 5, 10];

/** Held-out figures of one model: per-language text↔image R@k, English text↔audio R@k, zero-shot group accuracy. */
export interface MiniQuality {
  candidates: number;
  textToImage: Record<string, Record<number, number>>;
  imageToText: Record<string, Record<number, number>>;
  textToAudio?: Record<number, number>;
  audioToText?: Record<number, number>;
  zeroShot: Record<string, number>;
}

export interface EvalInputs {
  heldOut: EmojiPair[];
  languages: string[];
  images: Map<string, Rgba>;
  groups: Record<string, Record<string, string>>;
  speech?: Map<string, string>;
}

export async function evaluateMini(enc: MiniEncoders, inp: EvalInputs): Promise<MiniQuality> {
  const n = inp.heldOut.length;
  const img = await enc.embedPixels(inp.heldOut.map((p) => renderPixels(inp.images.get(p.id)!, PLAIN)));
  const q: MiniQuality = { candidates: n, textToImage: {}, imageToText: {}, zeroShot: {} };
  const groupKeys = Object.keys(inp.groups).filter((g) => g !== 'component');
  const labels = inp.heldOut.map((p) => groupKeys.indexOf(p.group));
  for (const lang of inp.languages) {
    const txt = await enc.embedTexts(inp.heldOut.map((p) => p.labels[lang]));
    const sim = similarity(txt, img, MINI.dim);
    q.textToImage[lang] = recallAtK(sim, n, n, KS);
    q.imageToText[lang] = recallAtK(transpose(sim, n, n), n, n, KS);
    const cls = await enc.embedTexts(groupKeys.map((g) => inp.groups[g][lang]));
    q.zeroShot[lang] = zeroShotAccuracy(img, cls, MINI.dim, labels);
  }
  if (inp.speech && inp.languages.includes('en')) {
    const mels: Float32Array[] = [];
    for (const p of inp.heldOut) mels.push((await logMel(await wavTo16k(inp.speech.get(p.id)!))).data);
    const aud = await enc.embedMels(mels);
    const txt = await enc.embedTexts(inp.heldOut.map((p) => p.labels.en));
    const sim = similarity(txt, aud, MINI.dim);
    q.textToAudio = recallAtK(sim, n, n, KS);
    q.audioToText = recallAtK(transpose(sim, n, n), n, n, KS);
  }
  return q;
}
