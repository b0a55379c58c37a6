import { recallAtK, similarity, transpose, zeroShotAccuracy } from '../eval/retrieval.js';
import type { StylePicture } from '../data/style-pictures.js';
import { inputTensor, type StyleData } from './style-data.js';
import { clipMel, type SpokenClip } from './room-audio.js';

export const KS = [1, 5, 10];

/** Text↔picture (or text↔speech) recall at KS per language over one candidate set. */
export interface Retrieval {
  candidates: number;
  /** Query text → the right candidate within the top k. */
  fromText: Record<string, Record<number, number>>;
  /** Candidate → its own text within the top k among the candidates' texts. */
  toText: Record<string, Record<number, number>>;
}

/** Held-out figures of one model (v4 protocol): unseen concepts, unseen drawing style, held-out voices. */
export interface MiniQuality {
  /** Google pictures of held-out concepts (the v3 split). */
  unseenConcepts: Retrieval;
  /** Pictures of seen concepts in the held-out style. */
  unseenStyle: Retrieval;
  /** Emoji group of each unseen-concept picture, by its group name (chance 1/9). */
  zeroShot: Record<string, number>;
  /** Held-out emoji spoken by held-out voice variants, queried by their label in the same language. */
  heldOutVoices?: Retrieval;
}

/** Anything that embeds texts, model-input pictures and log-mel clips into one space of `dim` dimensions. */
export interface Embedder {
  dim: number;
  embedTexts(texts: string[]): Promise<Float32Array>;
  embedPixels(pixels: Float32Array[]): Promise<Float32Array>;
  embedMels?(mels: Float32Array[]): Promise<Float32Array>;
}

export interface EvalInputs {
  data: StyleData;
  groups: Record<string, Record<string, string>>;
  /** Clips of held-out voices (omit to skip audio). */
  clips?: SpokenClip[];
}

/** Recall both ways between texts (query i ↔ candidate i) and candidate vectors. */
export async function retrieval(
  enc: Embedder,
  candidates: Float32Array,
  textsOf: (lang: string) => string[],
  languages: string[],
): Promise<Retrieval> {
  const n = candidates.length / enc.dim;
  const out: Retrieval = { candidates: n, fromText: {}, toText: {} };
  for (const lang of languages) {
    const sim = similarity(await enc.embedTexts(textsOf(lang)), candidates, enc.dim);
    out.fromText[lang] = recallAtK(sim, n, n, KS);
    out.toText[lang] = recallAtK(transpose(sim, n, n), n, n, KS);
  }
  return out;
}

const label = (p: StylePicture, lang: string) => p.emoji!.labels[lang];

export async function evaluateMini(enc: Embedder, inp: EvalInputs): Promise<MiniQuality> {
  const { data } = inp;
  const langs = data.languages;
  const pics = (idx: number[]) => enc.embedPixels(idx.map((i) => inputTensor(data.pixels[i])));
  const conceptImg = await pics(data.unseenConcepts);
  const unseenConcepts = await retrieval(enc, conceptImg, (l) => data.unseenConcepts.map((i) => label(data.pictures[i], l)), langs);
  const unseenStyle = await retrieval(
    enc,
    await pics(data.unseenStyle),
    (l) => data.unseenStyle.map((i) => label(data.pictures[i], l)),
    langs,
  );
  const groupKeys = Object.keys(inp.groups).filter((g) => g !== 'component');
  const labels = data.unseenConcepts.map((i) => groupKeys.indexOf(data.pictures[i].emoji!.group));
  const zeroShot: Record<string, number> = {};
  for (const l of langs)
    zeroShot[l] = zeroShotAccuracy(conceptImg, await enc.embedTexts(groupKeys.map((g) => inp.groups[g][l])), enc.dim, labels);
  const q: MiniQuality = { unseenConcepts, unseenStyle, zeroShot };
  if (inp.clips && enc.embedMels) {
    // One candidate set per language: the held-out emoji spoken in that language.
    const heldOutVoices: Retrieval = { candidates: 0, fromText: {}, toText: {} };
    for (const l of langs.filter((x) => inp.clips!.some((c) => c.language === x))) {
      const clips = inp.clips.filter((c) => c.language === l);
      const mels: Float32Array[] = [];
      for (const c of clips) mels.push(await clipMel(c.path));
      const r = await retrieval(enc, await enc.embedMels(mels), () => clips.map((c) => c.pair.labels[l]), [l]);
      heldOutVoices.candidates = r.candidates;
      heldOutVoices.fromText[l] = r.fromText[l];
      heldOutVoices.toText[l] = r.toText[l];
    }
    q.heldOutVoices = heldOutVoices;
  }
  return q;
}
