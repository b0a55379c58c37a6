import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { resolveRuntime } from '../../models/runtime-options.js';
import { expectNumberIn, invalidArgument } from '../../util/validate.js';
import { throwIfAborted } from '../abort.js';
import type { ModelChoice, SpeechCallOptions, SpeechEngine } from '../engine.js';
import { ESPEAK_ENGINE, GENERATION_MODELS } from '../registry.js';
import { encodeWav } from '../../media/audio/wav.js';
import { EspeakEngine } from './espeak-engine.js';
import { NeuralSpeechEngine } from './vits-engine.js';
import { PiperEngine, PIPER_ENGINE } from './piper-engine.js';
import { MAX_SPEAK_CHARS } from './limits.js';

export { MAX_SPEAK_CHARS };

export interface SpeakOptions extends Omit<ModelChoice<SpeechEngine>, 'model'>, SpeechCallOptions {
  /**
   * `espeak-ng`, `piper` (the Piper voice the set-up installs), `piper:<voice.onnx>`, a text-to-speech model id or
   * directory, or an engine. Default: the neural default (Xenova/mms-tts-eng) online; offline without that model
   * cached, the Piper voice when installed, else espeak-ng.
   */
  engine?: string | SpeechEngine;
}

export interface SpeakResult {
  /** A RIFF/WAVE file: 16-bit PCM, mono. */
  wav: Buffer;
  sampleRate: number;
  /** Seconds. */
  duration: number;
  /** Which engine spoke. */
  engine: string;
}

/** Resolves the `engine` option in one place. */
export function resolveSpeechEngine(options: SpeakOptions = {}): SpeechEngine {
  const engine = options.engine ?? GENERATION_MODELS.speak.default;
  if (engine === ESPEAK_ENGINE) return new EspeakEngine();
  if (engine === PIPER_ENGINE) return new PiperEngine(undefined, options);
  if (typeof engine === 'string' && engine.startsWith(`${PIPER_ENGINE}:`))
    return new PiperEngine(engine.slice(PIPER_ENGINE.length + 1), options);
  if (typeof engine === 'string' && engine.trim()) return new NeuralSpeechEngine(engine, options);
  if (typeof engine === 'object' && engine !== null && typeof engine.doSpeak === 'function') return engine;
  throw invalidArgument(
    'engine',
    `'${ESPEAK_ENGINE}', '${PIPER_ENGINE}', 'piper:<voice.onnx>', a text-to-speech model id or directory, or a SpeechEngine`,
    engine,
  );
}

/**
 * Text → speech as a WAV file.
 * @example
 * const { wav, duration } = await speak('Hello there', { engine: 'espeak-ng', voice: 'en-gb' });
 * await writeFile('hello.wav', wav);
 */
export async function speak(text: string, options: SpeakOptions = {}): Promise<SpeakResult> {
  if (typeof text !== 'string' || !text.trim()) throw invalidArgument('text', 'a non-empty string', text);
  if (text.length > MAX_SPEAK_CHARS)
    throw invalidArgument('text', `at most ${MAX_SPEAK_CHARS} characters (split longer text into sentences)`, `${text.length} characters`);
  if (options.rate !== undefined) expectNumberIn('rate', options.rate, 80, 450);
  throwIfAborted(options.signal, 'speech');
  let engine = resolveSpeechEngine(options);
  if (options.engine === undefined && engine instanceof NeuralSpeechEngine) {
    try {
      await engine.ready();
    } catch (error) {
      // Offline without the default model: the light engine speaks instead (the result says which).
      if (!(RosettaError.is(error) && error.code === ErrorCodes.MODEL_OFFLINE_MISSING && resolveRuntime(options).offline)) throw error;
      // The Piper voice when the set-up installed it and no espeak-ng voice or language was asked for.
      const piper = new PiperEngine(undefined, options);
      engine = options.voice === undefined && options.language === undefined && piper.installed() ? piper : new EspeakEngine();
    }
  }
  const asked = (['voice', 'language', 'rate'] as const).filter((k) => options[k] !== undefined && !engine.supports[k]);
  if (asked.length) {
    throw new RosettaError(
      ErrorCodes.UNSUPPORTED,
      `${engine.modelId} cannot honour ${asked.map((k) => `${k} ${String(options[k])}`).join(', ')}: ` +
        `a VITS/MMS model or Piper voice speaks one language in one voice${engine.supports.rate ? '' : ' at one rate'}`,
      {
        model: engine.modelId,
        setting: asked[0],
        hint: `use --engine ${ESPEAK_ENGINE} for voices, languages and rates, or a model of that language (e.g. Xenova/mms-tts-fra for French)`,
      },
    );
  }
  const pcm = await engine.doSpeak(text, { voice: options.voice, language: options.language, rate: options.rate, signal: options.signal });
  if (pcm.samples.length === 0) {
    throw new RosettaError(ErrorCodes.MEDIA_EMPTY, `${engine.modelId} produced no audio for the text`, {
      model: engine.modelId,
      hint: 'check the text has pronounceable words for this voice/model',
    });
  }
  return { wav: encodeWav(pcm), sampleRate: pcm.sampleRate, duration: pcm.samples.length / pcm.sampleRate, engine: engine.modelId };
}
