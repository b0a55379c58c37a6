import { attachTextToItem, type TextToAttach } from './attach-text.js';
import { itemsUnder } from './items-under.js';
import { extractScenes } from '../media/video/extract-scenes.js';
import type { Space } from '../spaces/space.js';
import type { VectorStore } from '../store/vector-store.js';
import { ocr, sharedTextReader } from '../ocr/read-image-text.js';
import type { ItemOcrMeta, StoredOcrLine } from '../store/item-meta.js';
import type { ModelRuntimeOptions } from '../models/runtime-options.js';

export interface OcrStageSummary {
  /** Items whose text was read in this run. */
  items: number;
  /** Lines stored. */
  lines: number;
  /** Items already read (same encoding, same model). */
  skipped: number;
  failures: { path: string; code: string; reason: string }[];
}

export interface OcrStageOptions extends ModelRuntimeOptions {
  signal?: AbortSignal;
  maxPixels?: number;
  onProgress?: (done: number, total: number, path: string) => void;
  /** Video frames are read with this short side (text needs more pixels than embeddings). Default 720. */
  videoShortSide?: number;
}

/**
 * The `index --ocr` stage, run after indexing: reads the text in each picture (and in each video scene's
 * first keyframe) under `paths` and stores every line as an `ocr` text segment of its item, so keyword,
 * hybrid and vector search find pictures by their words. Each line's box goes in the item's `meta.ocr`,
 * so a hit can say where the matched line is. Idempotent: items already read at their current encoding are
 * skipped; a re-encoded item (which drops its text segments) is read again.
 */
export async function readTextIntoCollection(
  store: VectorStore,
  spaces: Space[],
  paths: string[],
  options: OcrStageOptions = {},
): Promise<OcrStageSummary> {
  const summary: OcrStageSummary = { items: 0, lines: 0, skipped: 0, failures: [] };
  const reader = await sharedTextReader(options);
  for await (const { item, path } of itemsUnder(store, paths, ['image', 'video'], options)) {
    const previous = item.meta?.ocr as ItemOcrMeta | undefined;
    if (previous && previous.indexedAt === item.indexedAt && previous.model === reader.info.model) {
      summary.skipped += 1;
      continue;
    }
    try {
      const { texts, meta } =
        item.modality === 'image' ? await readPicture(path, options, reader.info.model) : await readVideo(path, options, reader.info.model);
      // Lines are attached even when none were found, so stale lines of an earlier read are cleared.
      await attachTextToItem(store, spaces, item.hash, path, texts, ['ocr']);
      await store.updateItem(item.hash, { meta: { ...item.meta, ocr: { ...meta, indexedAt: item.indexedAt } } });
      summary.items += 1;
      summary.lines += texts.length;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      summary.failures.push({ path, code: e.code ?? 'ROSETTA_ERR_INTERNAL', reason: String(e.message ?? error).split('\n')[0] });
    }
  }
  return summary;
}

async function readPicture(
  path: string,
  options: OcrStageOptions,
  model: string,
): Promise<{ texts: TextToAttach[]; meta: Omit<ItemOcrMeta, 'indexedAt'> }> {
  const r = await ocr(path, { ...options });
  return {
    texts: r.lines.map((l) => ({ kind: 'ocr', text: l.text })),
    meta: {
      model,
      width: r.width,
      height: r.height,
      lines: r.lines.map((l) => ({ box: l.box, bounds: l.bounds, confidence: round(l.confidence) })),
    },
  };
}

/** First keyframe of each scene; a line that stays on screen across scenes is stored once, spanning them. */
async function readVideo(
  path: string,
  options: OcrStageOptions,
  model: string,
): Promise<{ texts: TextToAttach[]; meta: Omit<ItemOcrMeta, 'indexedAt'> }> {
  const texts: TextToAttach[] = [];
  const lines: StoredOcrLine[] = [];
  const open = new Map<string, number>();
  let width: number | undefined, height: number | undefined;
  for await (const scene of extractScenes(path, { shortSide: options.videoShortSide ?? 720, signal: options.signal })) {
    const frame = scene.keyframes[0];
    const r = await ocr(frame.image, options);
    width = r.width;
    height = r.height;
    const seen = new Set<string>();
    for (const l of r.lines) {
      seen.add(l.text);
      const at = open.get(l.text);
      if (at !== undefined) {
        texts[at].t1 = scene.t1;
        continue;
      }
      open.set(l.text, texts.length);
      texts.push({ kind: 'ocr', text: l.text, t0: scene.t0, t1: scene.t1 });
      lines.push({ box: l.box, bounds: l.bounds, confidence: round(l.confidence), t: frame.t });
    }
    for (const text of [...open.keys()]) if (!seen.has(text)) open.delete(text);
  }
  return { texts, meta: { model, width, height, lines } };
}

const round = (v: number) => Math.round(v * 1000) / 1000;
