export { GENERATION_MODELS, ESPEAK_ENGINE, isFlorence, type GenerationTask } from './registry.js';
export type {
  EngineBase,
  TranscriptSegment,
  TranscriptionCallOptions,
  TranscriptionEngine,
  CaptionDetail,
  CaptionCallOptions,
  CaptionEngine,
  SpeechCallOptions,
  SpeechEngine,
  ImageGenerationCallOptions,
  ImageGenerationEngine,
  ModelChoice,
} from './engine.js';
export { abortedError, throwIfAborted, TokenStreamer } from './abort.js';
export { loadOnce, unloadAll } from './load-once.js';
export { transcribe, resolveTranscriptionEngine, type TranscribeOptions, type TranscribeResult } from './transcribe/transcribe.js';
export { WhisperEngine, normaliseSegments } from './transcribe/whisper-engine.js';
export { toSrt, toVtt } from './transcribe/subtitles.js';
export {
  caption,
  captionBatch,
  resolveCaptionEngine,
  type CaptionOptions,
  type CaptionResult,
  type ZeroShotTagger,
} from './caption/caption.js';
export { VisionCaptioner } from './caption/vision-captioner.js';
export { FlorenceCaptioner } from './caption/florence-captioner.js';
export { DEFAULT_TAG_LABELS } from './caption/tag-vocabulary.js';
export { speak, resolveSpeechEngine, MAX_SPEAK_CHARS, type SpeakOptions, type SpeakResult } from './speak/speak.js';
export { EspeakEngine } from './speak/espeak-engine.js';
export { NeuralSpeechEngine } from './speak/vits-engine.js';
export { PiperEngine, PIPER_ENGINE, defaultPiperVoice, type PiperVoiceConfig } from './speak/piper-engine.js';
export {
  describe,
  assembleTimeline,
  type SceneInput,
  type TimelineEntry,
  type DescribeResult,
  type DescribeOptions,
} from './describe/describe.js';
export {
  imagine,
  resolveImageEngine,
  type ImagineOptions,
  type ImagineResult,
  type CandidateRanker,
  type RankContext,
} from './imagine/imagine.js';
export { JanusEngine } from './imagine/janus-engine.js';
export * from './mini/index.js';
