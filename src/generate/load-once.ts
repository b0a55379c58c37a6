import { loadPretrained } from '../models/load-pretrained.js';
import { parseModelRef } from '../models/model-ref.js';
import { resolveRuntime, type ModelRuntimeOptions } from '../models/runtime-options.js';

type FromPretrained<T> = (path: string, options?: Record<string, unknown>) => Promise<T>;

const loaded = new Map<string, Promise<unknown>>();

/**
 * Loads a model once per (kind, reference, device, dtype, cache, offline) and shares it: the first call starts
 * the load, later calls await the same promise. A failed load is forgotten so a retry (after fetching) works.
 * Errors are Rosetta's: MODEL_OFFLINE_MISSING (offline, not cached) names the model, the cache and the fix, with
 * `offlineAlternative` (what works offline for this task instead; none by default: `--model mini` is for embeddings).
 */
export function loadOnce<T>(
  kind: string,
  model: string,
  runtimeOptions: ModelRuntimeOptions,
  fromPretrained: FromPretrained<T>,
  what = 'model',
  offlineAlternative = '',
): Promise<T> {
  const runtime = resolveRuntime(runtimeOptions);
  const ref = parseModelRef(model);
  const key = JSON.stringify([kind, ref, runtime.device, runtime.dtype, runtime.cacheDir, runtime.offline]);
  let hit = loaded.get(key) as Promise<T> | undefined;
  if (!hit) {
    hit = loadPretrained({ from_pretrained: fromPretrained }, ref, runtime, {}, what, offlineAlternative);
    loaded.set(key, hit);
    hit.catch(() => loaded.delete(key));
  }
  return hit;
}

/** Forgets every loaded model (tests; long-running servers swapping models). */
export function unloadAll(): void {
  loaded.clear();
}
