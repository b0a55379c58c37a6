import { ErrorCodes } from '../errors/codes.js';
import type { VectorStore } from '../store/vector-store.js';
import { itemsUnder } from './items-under.js';
import { detectSpeech } from '../vad/detect-speech.js';
import { SileroVad } from '../vad/silero-vad.js';
import type { ItemSpeechMeta } from '../store/item-meta.js';

export interface SpeechStageSummary {
  items: number;
  skipped: number;
  /** Seconds of speech found, over all items read. */
  speechSeconds: number;
  failures: { path: string; code: string; reason: string }[];
}

/**
 * The `index --speech` stage, run after indexing: finds where people speak in each audio and video item under
 * `paths` (Silero VAD, streamed) and keeps the regions in the item's `meta.speech`, so search can keep only
 * moments where someone speaks (`speech: true`, `--in speech`). Idempotent like the OCR stage.
 */
export async function findSpeechInCollection(
  store: VectorStore,
  paths: string[],
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number, path: string) => void } = {},
): Promise<SpeechStageSummary> {
  const summary: SpeechStageSummary = { items: 0, skipped: 0, speechSeconds: 0, failures: [] };
  const vad = await SileroVad.open();
  try {
    for await (const { item, path } of itemsUnder(store, paths, ['audio', 'video'], options)) {
      const previous = item.meta?.speech as ItemSpeechMeta | undefined;
      if (previous?.indexedAt === item.indexedAt) {
        summary.skipped += 1;
        continue;
      }
      try {
        const r = await detectSpeech(path, { vad, signal: options.signal });
        const meta: ItemSpeechMeta = { model: 'silero-vad', indexedAt: item.indexedAt, regions: r.regions };
        await store.updateItem(item.hash, { meta: { ...item.meta, speech: meta } });
        summary.items += 1;
        summary.speechSeconds += r.speechSeconds;
      } catch (error) {
        const e = error as { code?: string; message?: string };
        // A video without sound has no speech: record that, it is not a failure.
        if (e.code === 'ROSETTA_ERR_MEDIA_NO_STREAM') {
          await store.updateItem(item.hash, {
            meta: { ...item.meta, speech: { model: 'silero-vad', indexedAt: item.indexedAt, regions: [] } },
          });
          summary.items += 1;
          continue;
        }
        summary.failures.push({ path, code: e.code ?? ErrorCodes.INTERNAL, reason: String(e.message ?? error).split('\n')[0] });
      }
    }
  } finally {
    await vad.dispose();
  }
  return summary;
}
