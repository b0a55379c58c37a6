import { pipeline } from '@huggingface/transformers';
import { GENERATION_MODELS } from '../generate/registry.js';
import { loadSpace } from '../spaces/load-space.js';
import { loadPretrained } from './load-pretrained.js';
import { parseModelRef } from './model-ref.js';
import { resolveRuntime, type ModelRuntimeOptions } from './runtime-options.js';

const TASK_OF: Record<string, string> = {
  transcribe: 'automatic-speech-recognition',
  caption: 'image-to-text',
  speak: 'text-to-speech',
};

/**
 * Downloads every file a model needs into the cache, by loading it once: embedding models through
 * their space (each tower, tokenizer and processor), generation models through their pipeline.
 */
export async function pullModel(id: string, options: ModelRuntimeOptions = {}): Promise<{ id: string; parts: string[]; cacheDir: string }> {
  const runtime = resolveRuntime({ ...options, offline: false });
  const task = Object.entries(GENERATION_MODELS).find(([, m]) => m.default === id || (m.options as readonly string[]).includes(id))?.[0];
  if (task && TASK_OF[task]) {
    const ref = parseModelRef(id);
    await loadPretrained({ from_pretrained: (path: string, o?: Record<string, unknown>) => pipeline(TASK_OF[task] as 'image-to-text', path, o) }, ref, runtime, {}, `${task} pipeline`);
    return { id, parts: [`${task} pipeline`], cacheDir: runtime.cacheDir };
  }
  if (task === 'imagine') {
    const { JanusEngine } = await import('../generate/imagine/janus-engine.js');
    const engine = new JanusEngine(id, runtime) as unknown as { load?: () => Promise<unknown> };
    if (typeof engine.load === 'function') await engine.load();
    else await (await import('../generate/imagine/imagine.js')).imagine('warm up', { model: id, ...runtime, candidates: 1 });
    return { id, parts: ['image generation model'], cacheDir: runtime.cacheDir };
  }
  const space = await loadSpace({ model: id }, runtime);
  const parts = ['tokenizer', 'text tower'];
  await space.embedTexts(['warm up']);
  if (space.embedImages) {
    await space.embedImages([{ data: new Uint8Array(3 * 32 * 32), width: 32, height: 32, channels: 3 }]);
    parts.push('image processor', 'vision tower');
  }
  if (space.embedAudio) {
    await space.embedAudio([{ samples: new Float32Array(space.audioSampleRate ?? 48_000), sampleRate: space.audioSampleRate ?? 48_000 }]);
    parts.push('feature extractor', 'audio tower');
  }
  await space.dispose();
  return { id, parts, cacheDir: runtime.cacheDir };
}
