import { generationTaskOf, loadGenerationModel } from './generate/load-generation-model.js';
import { resolveRuntime, type ModelRuntimeOptions } from './models/runtime-options.js';
import { loadSpace } from './spaces/load-space.js';

export interface PulledModel {
  id: string;
  /** What was loaded, e.g. `text tower`, `image-to-text pipeline`. */
  parts: string[];
  cacheDir: string;
}

/**
 * Downloads every file a model needs into the cache, by loading it once the way Rosetta will use it: a
 * generation model of the registry through its own engine, any other id as an embedding space (each tower with
 * its tokenizer and processor).
 * @example await pullModel('Xenova/clip-vit-base-patch32', { cacheDir: '/models' });
 */
export async function pullModel(id: string, options: ModelRuntimeOptions = {}): Promise<PulledModel> {
  const runtime = resolveRuntime({ ...options, offline: false });
  const task = generationTaskOf(id);
  if (task) return { id, parts: await loadGenerationModel(id, task, runtime), cacheDir: runtime.cacheDir };
  const space = await loadSpace({ model: id }, runtime);
  try {
    await space.load();
  } finally {
    await space.dispose();
  }
  return { id, parts: space.modalities.map((m) => `${m} tower`), cacheDir: runtime.cacheDir };
}
