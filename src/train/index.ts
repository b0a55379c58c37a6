export { trainMini, type TrainMiniOptions, type TrainMiniResult } from './mini/train-mini.js';
export {
  loadEmojiPairs,
  loadGroupNames,
  isHeldOut,
  emojiId,
  DEFAULT_LANGUAGES,
  HELD_OUT_PERCENT,
  type EmojiPair,
  type LoadEmojiPairsOptions,
} from '../datasets/emoji-pairs.js';
export { RECIPE_VERSION } from './model/mini-architecture.js';
export type { MiniManifest } from './export/hub-layout.js';
export { GraphBuilder } from '../onnx/graph-builder.js';
export { recallAtK, similarity, zeroShotAccuracy } from './eval/retrieval.js';
export {
  fitAdapter,
  loadAdapter,
  type Adapter,
  type AdapterData,
  type FitAdapterOptions,
  type FitAdapterResult,
} from './adapter/fit-adapter.js';
