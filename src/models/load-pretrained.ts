import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { checkDevice } from './devices.js';
import { loadPath, type ModelRef } from './model-ref.js';
import type { ResolvedRuntime } from './runtime-options.js';

interface Pretrained<T> {
  from_pretrained(path: string, options?: Record<string, unknown>): Promise<T>;
}

/**
 * A Transformers.js class (`AutoTokenizer`, `CLIPVisionModelWithProjection`…) as `loadPretrained` takes it,
 * declared to give what Rosetta calls on the loaded object (`T`: a tokenizer or model call signature), which
 * the library's own typings do not spell out.
 */
export function pretrainedAs<T>(cls: {
  from_pretrained(path: string, options?: Record<string, unknown>): Promise<unknown>;
}): Pretrained<T> {
  return { from_pretrained: (path, options) => cls.from_pretrained(path, options) as Promise<T> };
}

const FILE_ONLY = /tokenizer|processor|feature extractor|config/i;

/**
 * ONNX Runtime's intra-op threads busy-wait between the parallel parts of a run by default. Beside sharp's
 * decoding threads and LanceDB's writers on a small machine, that spinning takes the cores the other stages need:
 * with it off, `rosetta index` of the mini model spent ~20 % less CPU per file (BENCHMARKS.md, ingest round four),
 * with the same vectors. A tower's threads still work in parallel; they sleep instead of spinning when idle.
 */
export const NO_SPINNING = { session: { intra_op: { allow_spinning: '0' } } };

// Transformers.js keeps its settings in one global `env`; loads are serialised so each sees its own.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Loads a Transformers.js class (model, tokenizer, processor) from a model reference under a runtime.
 * Offline: no download is attempted and a missing file fails naming the file and how to fetch it, and
 * `offlineAlternative` (what works offline instead for this kind of model; empty when nothing does).
 */
export function loadPretrained<T>(
  cls: Pretrained<T>,
  ref: ModelRef,
  runtime: ResolvedRuntime,
  extra: Record<string, unknown> = {},
  what = 'model',
  offlineAlternative = 'use the built-in offline model with --model mini',
): Promise<T> {
  const task = queue.then(async () => {
    // Transformers.js loads with the first model, not with the package (it brings sharp and onnxruntime-node).
    const { env } = await import('@huggingface/transformers');
    env.cacheDir = runtime.cacheDir;
    env.allowLocalModels = true;
    env.allowRemoteModels = ref.kind === 'hub' && !runtime.offline;
    const options: Record<string, unknown> = { ...extra };
    if (ref.kind === 'hub') options.revision = ref.revision;
    // Device, dtype and threads apply to anything that opens an ONNX session (towers, pipelines), not to
    // the small files (tokenizer, processors, config) whose loaders reject or ignore them.
    if (!FILE_ONLY.test(what)) {
      options.device = checkDevice(runtime.device);
      options.dtype ??= runtime.dtype;
      options.session_options = {
        ...(runtime.threads ? { intraOpNumThreads: runtime.threads, interOpNumThreads: 1 } : {}),
        extra: NO_SPINNING,
      };
    }
    try {
      return await cls.from_pretrained(loadPath(ref), options);
    } catch (cause) {
      throw explainLoadError(cause, ref, runtime, what, offlineAlternative);
    }
  });
  queue = task.catch(() => undefined);
  return task;
}

function explainLoadError(cause: unknown, ref: ModelRef, runtime: ResolvedRuntime, what: string, offlineAlternative: string): RosettaError {
  if (RosettaError.is(cause)) return cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  if (/WebGPU adapter|webgpu_context|CUDA|cudart|execution provider/i.test(text) && runtime.device !== 'cpu') {
    const hint =
      runtime.device === 'webgpu'
        ? 'WebGPU needs a GPU with a Vulkan driver (and the Vulkan loader, libvulkan1); or use --device cpu'
        : 'check the GPU driver and CUDA 12/cuDNN 9 libraries, or use --device cpu';
    return new RosettaError(
      ErrorCodes.DEVICE_UNAVAILABLE,
      `The ${what} of ${ref.label} could not start on device '${runtime.device}': ${firstLine(text)}`,
      { model: ref.label, setting: 'device', cause, hint },
    );
  }
  const missing = /not found|could not locate|ENOENT|does not exist|no such file/i.test(text);
  if (ref.kind === 'local') {
    return new RosettaError(
      missing ? ErrorCodes.MODEL_NOT_FOUND : ErrorCodes.MODEL_LOAD_FAILED,
      `Could not load the ${what} of model directory ${ref.dir}: ${firstLine(text)}`,
      {
        model: ref.label,
        file: ref.dir,
        cause,
        hint: 'check the directory has config.json, the tokenizer/processor files and onnx/*.onnx for the chosen dtype',
      },
    );
  }
  if (runtime.offline) {
    return new RosettaError(
      ErrorCodes.MODEL_OFFLINE_MISSING,
      `Offline mode: the ${what} of ${ref.id}@${ref.revision} is not in the cache ${runtime.cacheDir} (${firstLine(text)})`,
      {
        model: ref.label,
        setting: 'offline',
        cause,
        hint:
          `on a machine with internet run \`rosetta models pull ${ref.id}\` (or any rosetta command using it) ` +
          `with ROSETTA_CACHE_DIR=${runtime.cacheDir}, then copy that folder here${offlineAlternative ? `; or ${offlineAlternative}` : ''}`,
      },
    );
  }
  return new RosettaError(
    ErrorCodes.MODEL_LOAD_FAILED,
    `Could not download or load the ${what} of ${ref.id}@${ref.revision}: ${firstLine(text)}`,
    {
      model: ref.label,
      cause,
      hint:
        `check the id and your connection to the model hub (cache: ${runtime.cacheDir})` +
        `${offlineAlternative ? `; offline, ${offlineAlternative}` : ''}, or give a local model directory`,
    },
  );
}

const firstLine = (s: string) => s.split('\n')[0].slice(0, 300);
