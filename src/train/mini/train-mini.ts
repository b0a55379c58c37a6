import { MINI, RECIPE_VERSION } from '../model/mini-architecture.js';
import { writeHubLayout, type MiniManifest } from '../export/hub-layout.js';
import { DEFAULT_LANGUAGES } from '../../datasets/emoji-pairs.js';
import { expectPositiveInt, invalidArgument } from '../../util/validate.js';
import { MiniEncoders } from './mini-encoders.js';
import { evaluateMini, type MiniQuality } from './evaluate-mini.js';
import type { Progress } from './room-audio.js';
import { loadEmojiPairs, loadGroupNames } from '../../datasets/emoji-pairs.js';
import { HELD_OUT_STYLE, PICTURE_SOURCES } from '../data/picture-sources.js';
import { sourceVersion } from '../data/style-pictures.js';
import { HELD_OUT_VARIANTS } from '../features/voices.js';
import { learnVocabulary, WordPieceTokenizer } from '../tokenizer/wordpiece.js';
import {
  buildCcaAudioModel,
  buildCcaClipModel,
  buildCcaTextModel,
  buildCcaVisionModel,
  roundRowsToInt8,
  roundToHalf,
  type CcaTowers,
} from '../export/cca-graphs.js';
import { fitAudioProjection, fitCcaTowersOn, ICON_WEIGHT } from './cca-mini.js';
import { inputTensor, loadStyleData, pictureTexts } from './style-data.js';
import { prepareRoomAudio } from './room-audio.js';

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

export interface TrainMiniResult {
  manifest: MiniManifest;
  metrics: MiniQuality & { seconds: number };
}

/**
 * Rebuilds rosetta-mini (recipe v4) from scratch: every openly licensed emoji and icon style in
 * PICTURE_SOURCES (rasterised and composited on white as Rosetta's image door does), paired with CLDR labels and
 * keywords in every language or icon names; the CCA towers (`MINI_CCA`) fitted on the training split; an audio
 * projection from spoken labels in every language and many voices (`prepareRoomAudio`) onto the new text
 * vectors; export in hub layout; held-out evaluation (unseen concepts, unseen style, held-out voices).
 * `epochs` is ignored since v2 (closed form); the contrastive trainer (`src/train/model/`) serves adapters.
 * @example await trainMini({ outDir: '/abs/models/rosetta-mini', onProgress: console.log })
 */
export async function trainMini(options: TrainMiniOptions): Promise<TrainMiniResult> {
  if (!options || typeof options.outDir !== 'string' || options.outDir === '')
    throw invalidArgument('outDir', 'a directory path', options?.outDir);
  const seed = options.seed ?? 1;
  if (options.epochs !== undefined) expectPositiveInt('epochs', options.epochs, 10000);
  const languages = options.languages ?? [...DEFAULT_LANGUAGES];
  if (!languages.includes('en'))
    throw invalidArgument('languages', "a list that includes 'en' (held-out figures are reported against English)", languages);
  const progress = options.onProgress ?? (() => {});
  const t0 = Date.now();
  const data = await loadStyleData(languages, {
    withIcons: ICON_WEIGHT > 0,
    onProgress: (step, total) => progress({ phase: 'pictures', step, total }),
  });
  const groups = loadGroupNames(languages);
  const texts = data.train.map((i) => pictureTexts(data.pictures[i], languages));
  const iconStyles = new Set(PICTURE_SOURCES.filter((s) => s.kind === 'icon').map((s) => s.style));
  const tokenizer = buildStyleTokenizer(texts, groups);
  progress({ phase: 'image-text-cca', step: 0, total: 1 });
  const towers = await fitCcaTowersOn(
    data.train.map((i) => inputTensor(data.pixels[i])),
    texts,
    tokenizer,
    seed,
    { weights: data.train.map((i) => (iconStyles.has(data.pictures[i].style) ? ICON_WEIGHT : 1)) },
  );
  roundToHalf(towers.Wimg);
  roundRowsToInt8(towers.table, MINI.dim);
  const V = tokenizer.vocab.length;
  const textModel = buildCcaTextModel(
    { ...towers, audioLayer: { filters: towers.filters }, Waud: new Float32Array(0), bAud: new Float32Array(0) },
    V,
  );
  const pairs = loadEmojiPairs({ languages });
  const audio = await prepareRoomAudio(pairs, languages, seed, progress);
  const textOnly = await MiniEncoders.create(
    { textModel, visionModel: buildCcaVisionModel({ ...towers } as CcaTowers) },
    tokenizer,
    audio.frames,
  );
  const targets = await textOnly.embedTexts(audio.train.map((c) => c.pair.labels[c.language]));
  const proj = await fitAudioProjection(audio.audioLayer, [audio.trainFeatures], targets);
  roundToHalf(proj.W);
  const full: CcaTowers = { ...towers, audioLayer: audio.audioLayer, Waud: proj.W, bAud: proj.b };
  const graphs = {
    textModel,
    visionModel: buildCcaVisionModel(full),
    clipModel: buildCcaClipModel(full, V),
    audioModel: buildCcaAudioModel(full, audio.frames),
  };
  const enc = await MiniEncoders.create(graphs, tokenizer, audio.frames);
  progress({ phase: 'evaluate', step: 0, total: 1 });
  const quality = await evaluateMini(enc, { data, groups, clips: audio.heldOutVoices });
  const seconds = (Date.now() - t0) / 1000;
  const manifest: MiniManifest = {
    name: 'rosetta-mini',
    recipeVersion: RECIPE_VERSION,
    dim: MINI.dim,
    modalities: ['text', 'image', 'audio'],
    languages,
    heldOut: pairs.filter((p) => p.heldOut).map((p) => p.id),
    heldOutStyle: HELD_OUT_STYLE,
    heldOutVoices: [...HELD_OUT_VARIANTS],
    sources: PICTURE_SOURCES.map((s) => ({
      style: s.style,
      package: s.pkg,
      version: sourceVersion(s),
      licence: s.licence,
      attribution: s.attribution,
    })),
    trainingPictures: data.train.length,
    trainingClips: audio.train.length,
    logitScale: towers.logitScale,
    seed,
    layouts: { clip: 'clip', clap: 'clap' },
    metrics: {
      unseenConceptsTextToImageR1En: quality.unseenConcepts.fromText.en[1],
      unseenConceptsTextToImageR10En: quality.unseenConcepts.fromText.en[10],
      unseenStyleTextToImageR10En: quality.unseenStyle.fromText.en[10],
      unseenStyleImageToTextR5En: quality.unseenStyle.toText.en[5],
      heldOutVoicesTextToAudioR10En: quality.heldOutVoices?.fromText.en[10] ?? NaN,
      trainSeconds: Math.round(seconds),
    },
  };
  writeHubLayout(options.outDir, tokenizer, graphs, manifest, audio.frames);
  progress({ phase: 'done', step: 1, total: 1 });
  return { manifest, metrics: { ...quality, seconds } };
}

/** The WordPiece vocabulary, learned from training text only: held-out labels meet it as unseen text. */
export function buildStyleTokenizer(texts: string[][], groups: Record<string, Record<string, string>>): WordPieceTokenizer {
  const all = texts.flat();
  for (const g of Object.values(groups)) all.push(...Object.values(g));
  return new WordPieceTokenizer(learnVocabulary(all, { vocabSize: MINI.vocabSize }), MINI.maxTextLength);
}
