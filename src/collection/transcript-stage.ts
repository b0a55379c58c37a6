import { ErrorCodes } from '../errors/codes.js';
import type { VectorStore } from '../store/vector-store.js';
import type { Space } from '../spaces/space.js';
import type { ModelRuntimeOptions } from '../models/runtime-options.js';
import { resolveTranscriptionEngine, transcribe, type TranscribeOptions } from '../generate/transcribe/transcribe.js';
import { attachTextToItem } from './attach-text.js';
import { itemsUnder } from './items-under.js';

export interface TranscriptStageSummary {
  items: number;
  skipped: number;
  /** Transcript lines stored, over all items read. */
  lines: number;
  /** The transcription model used. */
  model: string;
  failures: { path: string; code: string; reason: string }[];
}

/** What the transcript stage records in an item's meta, so a second run skips what it already read. */
interface ItemTranscriptMeta {
  model: string;
  indexedAt: number;
  lines: number;
}

/**
 * The `index --transcripts` stage (also run by `--speech` when the set-up's Whisper is there), after indexing:
 * transcribes each audio and video item under `paths` (speech-gated Whisper, offline by default on the converted
 * tiny.en) and stores every line as a timed `transcript` segment of its item, so a typed query finds a spoken word
 * at its moment whoever said it. Idempotent: an item already transcribed at its current version is skipped.
 */
export async function transcribeCollection(
  store: VectorStore,
  spaces: Space[],
  paths: string[],
  options: ModelRuntimeOptions &
    Pick<TranscribeOptions, 'model' | 'language'> & {
      signal?: AbortSignal;
      onProgress?: (done: number, total: number, path: string) => void;
    } = {},
): Promise<TranscriptStageSummary> {
  const engine = resolveTranscriptionEngine(options);
  await engine.prepare?.();
  const summary: TranscriptStageSummary = { items: 0, skipped: 0, lines: 0, model: engine.modelId, failures: [] };
  for await (const { item, path } of itemsUnder(store, paths, ['audio', 'video'], options)) {
    const previous = item.meta?.transcript as ItemTranscriptMeta | undefined;
    if (previous?.indexedAt === item.indexedAt && previous.model === engine.modelId) {
      summary.skipped += 1;
      continue;
    }
    try {
      const result = await transcribe(path, { ...options, model: engine });
      const lines = result.segments.map((s) => ({ kind: 'transcript' as const, text: s.text, t0: s.t0, t1: s.t1 }));
      const { segments } = await attachTextToItem(store, spaces, item.hash, path, lines, ['transcript']);
      const fresh = await store.getItem(item.hash);
      const meta: ItemTranscriptMeta = { model: engine.modelId, indexedAt: item.indexedAt, lines: segments };
      await store.updateItem(item.hash, { meta: { ...(fresh?.meta ?? item.meta), transcript: meta } });
      summary.items += 1;
      summary.lines += segments;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      if (e.code === 'ROSETTA_ERR_MEDIA_NO_STREAM') {
        summary.items += 1;
        continue;
      }
      summary.failures.push({ path, code: e.code ?? ErrorCodes.INTERNAL, reason: String(e.message ?? error).split('\n')[0] });
    }
  }
  return summary;
}
