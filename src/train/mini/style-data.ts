import { createHash } from 'node:crypto';
import { loadStylePictures, type StylePicture } from '../data/style-pictures.js';
import { loadModelPixels } from '../data/raster-cache.js';
import { HELD_OUT_STYLE, PICTURE_SOURCES } from '../data/picture-sources.js';
import { IMAGE_MEAN, IMAGE_STD, renderPixels, type Augment, type Rgba } from '../features/image-input.js';
import { MINI } from '../model/mini-architecture.js';

/** Candidates of the unseen-style test: this many pictures of the held-out style, chosen by hash (≥ 200 as the aim asks). */
export const STYLE_TEST_SIZE = 300;

/** The pictures, their model-input pixels and the fixed splits rosetta-mini v4 trains and is measured on. */
export interface StyleData {
  languages: string[];
  pictures: StylePicture[];
  /** Model-input RGB per picture (32×32×3, HWC, 8-bit). */
  pixels: Uint8Array[];
  /** Indices of training pictures: concept not held out, style not held out. */
  train: number[];
  /** Unseen concepts in a seen style: the Google emoji of the v3 held-out split (the same 344 v3 was measured on). */
  unseenConcepts: number[];
  /** Unseen drawing style, seen concepts: STYLE_TEST_SIZE pictures of HELD_OUT_STYLE whose emoji has labels in every language. */
  unseenStyle: number[];
}

const rank = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0);

/**
 * Loads every picture and its pixels (without the named-icon sets when `withIcons` is false), or with
 * `evalOnly` only the two measured sets (the Google and held-out style pictures, pixels of the measured ones
 * only: seconds instead of minutes on a cold cache; `train` is empty).
 */
export async function loadStyleData(
  languages: string[],
  options: { evalOnly?: boolean; withIcons?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<StyleData> {
  const styles = options.evalOnly
    ? ['google', HELD_OUT_STYLE]
    : options.withIcons === false
      ? PICTURE_SOURCES.filter((s) => s.kind !== 'icon').map((s) => s.style)
      : undefined;
  const pictures = loadStylePictures({ languages, styles });
  const train: number[] = [],
    unseenConcepts: number[] = [],
    style: number[] = [];
  pictures.forEach((p, i) => {
    if (!p.heldOutConcept && !p.heldOutStyle) train.push(i);
    if (p.style === 'google' && p.heldOutConcept) unseenConcepts.push(i);
    if (p.heldOutStyle && !p.heldOutConcept && p.emoji) style.push(i);
  });
  // One picture per concept, then the first STYLE_TEST_SIZE by hash of the concept: a fixed sample.
  const seen = new Set<string>();
  const unseenStyle = style
    .filter((i) => !seen.has(pictures[i].concept) && seen.add(pictures[i].concept))
    .sort((a, b) => rank(pictures[a].concept) - rank(pictures[b].concept) || (pictures[a].concept < pictures[b].concept ? -1 : 1))
    .slice(0, STYLE_TEST_SIZE);
  const load = options.evalOnly ? [...unseenConcepts, ...unseenStyle] : pictures.map((_, i) => i);
  const loaded = await loadModelPixels(
    load.map((i) => pictures[i]),
    options.onProgress,
  );
  const pixels: Uint8Array[] = [];
  load.forEach((i, j) => {
    pixels[i] = loaded[j];
  });
  return { languages, pictures, pixels, train: options.evalOnly ? [] : train, unseenConcepts, unseenStyle };
}

/** Texts a training picture is paired with: label and label + keywords in every language for an emoji, the name (and aliases) for an icon. */
export function pictureTexts(p: StylePicture, languages: string[]): string[] {
  if (p.emoji) return languages.flatMap((l) => [p.emoji!.labels[l], `${p.emoji!.labels[l]} ${p.emoji!.tags[l].join(' ')}`]);
  return p.names;
}

/** The 8-bit model input as a normalised CHW array (what the vision tower receives). */
export function inputTensor(rgb: Uint8Array): Float32Array {
  const S = MINI.imageSize,
    plane = S * S;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = (rgb[i * 3 + c] / 255 - IMAGE_MEAN[c]) / IMAGE_STD[c];
  return out;
}

/** An augmented view of the model input (crop/zoom, colour jitter; anything outside the picture is white). */
export function augmentedTensor(rgb: Uint8Array, aug: Augment): Float32Array {
  const S = MINI.imageSize;
  const data = new Float32Array(S * S * 4);
  for (let i = 0; i < S * S; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = rgb[i * 3 + c] / 255;
    data[i * 4 + 3] = 1;
  }
  const img: Rgba = { data, width: S, height: S };
  return renderPixels(img, { ...aug, background: [1, 1, 1] });
}
