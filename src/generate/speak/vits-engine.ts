import { pipeline } from '@huggingface/transformers';
import type { ModelRuntimeOptions } from '../../models/runtime-options.js';
import type { PcmAudio } from '../../types.js';
import { throwIfAborted } from '../abort.js';
import type { SpeechCallOptions, SpeechEngine } from '../engine.js';
import { loadOnce } from '../load-once.js';
import { ESPEAK_ENGINE } from '../registry.js';

interface TextToAudioPipeline {
  (text: string): Promise<{ audio: Float32Array; sampling_rate: number }>;
}

/**
 * A neural text-to-speech model through the `text-to-speech` pipeline: VITS / MMS-TTS (one model per language,
 * e.g. Xenova/mms-tts-eng, -fra, -deu). A VITS model has one voice, one language and no rate setting: asking it for
 * any of them is an error (see `supports`), not a silent no-op.
 */
export class NeuralSpeechEngine implements SpeechEngine {
  readonly provider = 'transformers.js';
  readonly supports = { voice: false, language: false, rate: false };
  constructor(
    readonly modelId: string,
    private readonly runtime: ModelRuntimeOptions = {},
  ) {}

  private load(): Promise<TextToAudioPipeline> {
    return loadOnce(
      'text-to-speech',
      this.modelId,
      this.runtime,
      async (path, options) => (await pipeline('text-to-speech', path, options)) as unknown as TextToAudioPipeline,
      'model',
      `speak with the offline engine: --engine ${ESPEAK_ENGINE} (or leave --engine out)`,
    );
  }

  /** Loads (downloading when allowed) the model now, so `speak` can fall back before synthesis starts. */
  async ready(): Promise<void> {
    await this.load();
  }

  async doSpeak(text: string, options: SpeechCallOptions): Promise<PcmAudio> {
    const tts = await this.load();
    throwIfAborted(options.signal, `speech with ${this.modelId}`);
    const out = await tts(text);
    throwIfAborted(options.signal, `speech with ${this.modelId}`);
    return { samples: out.audio, sampleRate: out.sampling_rate };
  }
}
