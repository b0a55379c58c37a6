import { registryModelDir } from '../models/local-models.js';
/**
 * Default models per generation task, one frozen table. Each is a hub id Transformers.js loads (pin a revision
 * with `id@revision`), or a local engine; any can be replaced by a hub id, a local directory or an engine object.
 */
export const GENERATION_MODELS = Object.freeze({
  /** speech → text with segment timestamps. `onnx-community/whisper-base` is the multilingual option. */
  transcribe: Object.freeze({
    default: 'Xenova/whisper-tiny',
    options: ['Xenova/whisper-tiny.en', 'onnx-community/whisper-base', 'onnx-community/whisper-small'],
  }),
  /** image → caption. Florence-2 is larger, does short/detailed captions and OCR. */
  caption: Object.freeze({ default: 'Xenova/vit-gpt2-image-captioning', options: ['onnx-community/Florence-2-base-ft'] }),
  /** text → speech. `espeak-ng` (Debian package) is the light offline engine; `piper` the neural voice the set-up installs. */
  speak: Object.freeze({ default: 'Xenova/mms-tts-eng', options: ['espeak-ng', 'piper'] }),
  /** text (+ reference image ranking) → image. */
  imagine: Object.freeze({ default: 'onnx-community/Janus-1.3B-ONNX', options: [] as string[] }),
});

/**
 * The transcription model used when none is named: Whisper tiny.en converted by the set-up (offline, English) when
 * it is there, else the hub default.
 */
export function defaultTranscriptionModel(): string {
  return registryModelDir(LOCAL_WHISPER) ? LOCAL_WHISPER : GENERATION_MODELS.transcribe.default;
}

/** The alias of the Whisper the set-up converts from a registry package (models/registry/whisper-tiny.en). */
export const LOCAL_WHISPER = 'whisper-tiny.en';

export type GenerationTask = keyof typeof GENERATION_MODELS;

/** The name of the light offline speech engine. */
export const ESPEAK_ENGINE = 'espeak-ng';

/** True for model ids that name a Florence-2 checkpoint (its own processor and task prompts). */
export function isFlorence(modelId: string): boolean {
  return /florence-?2/i.test(modelId);
}
