import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WordPieceTokenizer } from '../tokenizer/wordpiece.js';
import { clapFeatureConfig } from '../features/speech.js';
import { IMAGE_MEAN, IMAGE_STD } from '../features/image-input.js';
import { MINI } from '../model/mini-architecture.js';

/** `rosetta.json`: what the directory holds and how it was made. */
export interface MiniManifest {
  name: 'rosetta-mini';
  recipeVersion: number;
  dim: number;
  modalities: ('text' | 'image' | 'audio')[];
  languages: string[];
  /** Ids (codepoints without FE0F) of the emoji kept out of training. */
  heldOut: string[];
  /** The drawing style kept out of training entirely (v4). */
  heldOutStyle?: string;
  /** espeak-ng voice variants never heard in training (v4). */
  heldOutVoices?: string[];
  /** Every picture source with its version, licence and attribution (v4). */
  sources?: { style: string; package: string; version: string; licence: string; attribution: string }[];
  trainingPictures?: number;
  trainingClips?: number;
  logitScale: number;
  seed: number;
  /** Subdirectories in hub layout: `clip` (text+image) and `clap` (text+audio, same text weights). */
  layouts: { clip: string; clap: string };
  metrics?: Record<string, number>;
}

export interface HubFiles {
  textModel: Uint8Array;
  visionModel: Uint8Array;
  clipModel: Uint8Array;
  audioModel: Uint8Array;
}

const json = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

/** Writes `clip/`, `clap/` and `rosetta.json` under `outDir` in the layout Transformers.js loads. */
export function writeHubLayout(
  outDir: string,
  tokenizer: WordPieceTokenizer,
  files: HubFiles,
  manifest: MiniManifest,
  audioFrames: number,
): void {
  const clip = join(outDir, 'clip');
  const clap = join(outDir, 'clap');
  for (const d of [join(clip, 'onnx'), join(clap, 'onnx')]) mkdirSync(d, { recursive: true });
  const tokJson = tokenizer.toTokenizerJson();
  const tokConfig = tokenizer.toTokenizerConfig();
  const common = {
    projection_dim: MINI.dim,
    logit_scale_init_value: manifest.logitScale,
    'transformers.js_config': { dtype: 'fp32' },
    rosetta: { recipeVersion: manifest.recipeVersion },
  };
  const textConfig = {
    vocab_size: tokenizer.vocab.length,
    hidden_size: MINI.textHidden,
    max_position_embeddings: tokenizer.modelMaxLength,
    projection_dim: MINI.dim,
  };
  json(join(clip, 'config.json'), {
    model_type: 'clip',
    architectures: ['CLIPModel'],
    ...common,
    text_config: { model_type: 'clip_text_model', ...textConfig },
    vision_config: {
      model_type: 'clip_vision_model',
      image_size: MINI.imageSize,
      patch_size: MINI.imagePatch,
      num_channels: 3,
      projection_dim: MINI.dim,
    },
  });
  json(join(clip, 'preprocessor_config.json'), {
    image_processor_type: 'CLIPImageProcessor',
    processor_class: 'CLIPProcessor',
    do_resize: true,
    size: { shortest_edge: MINI.imageSize },
    resample: 3,
    do_center_crop: true,
    crop_size: { height: MINI.imageSize, width: MINI.imageSize },
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: IMAGE_MEAN,
    image_std: IMAGE_STD,
    do_convert_rgb: true,
  });
  json(join(clap, 'config.json'), {
    model_type: 'clap',
    architectures: ['ClapModel'],
    ...common,
    text_config: { model_type: 'clap_text_model', ...textConfig },
    audio_config: { model_type: 'clap_audio_model', num_mel_bins: MINI.melBins, spec_size: audioFrames, projection_dim: MINI.dim },
  });
  json(join(clap, 'preprocessor_config.json'), { ...clapFeatureConfig(), processor_class: 'ClapProcessor' });
  for (const d of [clip, clap]) {
    json(join(d, 'tokenizer.json'), tokJson);
    json(join(d, 'tokenizer_config.json'), tokConfig);
    json(join(d, 'special_tokens_map.json'), { bos_token: '[CLS]', eos_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]' });
    writeFileSync(join(d, 'onnx', 'text_model.onnx'), files.textModel);
  }
  writeFileSync(join(clip, 'onnx', 'vision_model.onnx'), files.visionModel);
  writeFileSync(join(clip, 'onnx', 'model.onnx'), files.clipModel);
  writeFileSync(join(clap, 'onnx', 'audio_model.onnx'), files.audioModel);
  json(join(outDir, 'rosetta.json'), manifest);
}
