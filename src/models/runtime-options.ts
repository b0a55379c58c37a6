import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Device, DType } from '../types.js';
import { expectOneOf } from '../util/validate.js';

/** How models are loaded and run. Every field has a default; nothing here is global. */
export interface ModelRuntimeOptions {
  /** Where downloaded models are cached. Default: $ROSETTA_CACHE_DIR, else $HF_HOME/rosetta, else ~/.cache/rosetta/models. */
  cacheDir?: string;
  /** Never download; a missing file fails with its name and the fix. Default: $ROSETTA_OFFLINE or $HF_HUB_OFFLINE = 1. */
  offline?: boolean;
  /** `cpu` (default), `cuda` (needs onnxruntime-node installed with CUDA), `webgpu` (experimental), `auto`. */
  device?: Device;
  /** Weights precision: fp32 (default on CPU), fp16, q8. */
  dtype?: DType;
  /** Inputs per forward pass. Default 32 for text, 16 for images/audio. */
  batchSize?: number;
  /** ONNX Runtime intra-op threads. Default: the runtime's choice (all cores). */
  threads?: number;
}

export interface ResolvedRuntime {
  cacheDir: string;
  offline: boolean;
  device: Device;
  dtype: DType;
  batchSize?: number;
  threads?: number;
}

const truthy = (v: string | undefined) => v === '1' || v === 'true' || v === 'yes';

export function resolveRuntime(options: ModelRuntimeOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedRuntime {
  const cacheDir =
    options.cacheDir ??
    env.ROSETTA_CACHE_DIR ??
    (env.HF_HOME ? join(env.HF_HOME, 'rosetta') : join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rosetta', 'models'));
  return {
    cacheDir,
    offline: options.offline ?? (truthy(env.ROSETTA_OFFLINE) || truthy(env.HF_HUB_OFFLINE)),
    device: expectOneOf('device', options.device ?? env.ROSETTA_DEVICE ?? 'cpu', ['cpu', 'cuda', 'webgpu', 'auto'] as const),
    dtype: expectOneOf('dtype', options.dtype ?? env.ROSETTA_DTYPE ?? 'fp32', ['fp32', 'fp16', 'q8'] as const),
    batchSize: options.batchSize,
    threads: options.threads,
  };
}
