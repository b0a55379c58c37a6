import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ModelRuntimeOptions } from '../models/runtime-options.js';
import { FlorenceCaptioner } from './caption/florence-captioner.js';
import { VisionCaptioner } from './caption/vision-captioner.js';
import { JanusEngine } from './imagine/janus-engine.js';
import { ESPEAK_ENGINE, GENERATION_MODELS, isFlorence, type GenerationTask } from './registry.js';
import { NeuralSpeechEngine } from './speak/vits-engine.js';
import { WhisperEngine } from './transcribe/whisper-engine.js';

/** The generation task a model id of the registry serves, or undefined for any other id. */
export function generationTaskOf(id: string): GenerationTask | undefined {
  return (Object.entries(GENERATION_MODELS) as [GenerationTask, { default: string; options: readonly string[] }][]).find(
    ([, m]) => m.default === id || m.options.includes(id),
  )?.[0];
}

/**
 * Loads a generation model exactly as its engine does (so every file it needs lands in the cache): Florence-2
 * through its processor and model classes, other captioners through `image-to-text`, Whisper, VITS and Janus
 * through theirs. espeak-ng is a local program, not a model: it is checked, not downloaded.
 */
export async function loadGenerationModel(id: string, task: GenerationTask, runtime: ModelRuntimeOptions): Promise<string[]> {
  if (id === ESPEAK_ENGINE) {
    try {
      const { stdout } = await promisify(execFile)(process.env.ROSETTA_ESPEAK ?? ESPEAK_ENGINE, ['--version']);
      return [`local program (${stdout.trim().split('\n')[0]}), nothing to download`];
    } catch (cause) {
      throw new RosettaError(
        ErrorCodes.ENGINE_MISSING,
        'espeak-ng is a local program, not a model to download, and it is not installed here',
        { setting: 'engine', cause, hint: 'install it: Debian/Ubuntu `sudo apt-get install espeak-ng`, macOS `brew install espeak-ng`' },
      );
    }
  }
  if (task === 'caption') {
    const florence = isFlorence(id);
    await (florence ? new FlorenceCaptioner(id, runtime) : new VisionCaptioner(id, runtime)).ready();
    return [florence ? 'Florence-2 processor and model' : 'image-to-text pipeline'];
  }
  if (task === 'transcribe') {
    await new WhisperEngine(id, runtime).ready();
    return ['automatic-speech-recognition pipeline'];
  }
  if (task === 'speak') {
    await new NeuralSpeechEngine(id, runtime).ready();
    return ['text-to-speech pipeline'];
  }
  await new JanusEngine(id, runtime).ready();
  return ['Janus processor and model'];
}
