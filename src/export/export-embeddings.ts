import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemRecord, SpaceTableInfo, VectorRecord, VectorStore } from '../store/vector-store.js';
import { expectPositiveInt } from '../util/validate.js';
import { writeNpyFloat32 } from './npy.js';

export interface ExportOptions {
  /** Rows per part file (default 100,000), as clip-retrieval splits its embeddings. */
  rowsPerPart?: number;
  onProgress?: (rows: number, spaceId: string) => void;
}

export interface ExportedSpace {
  spaceId: string;
  version: string;
  dim: number;
  rows: number;
  parts: number;
  dir: string;
}

/**
 * Writes a collection's vectors the way clip-retrieval's embeddings folder lays them out, one folder per
 * space: `<space>/img_emb/img_emb_<n>.npy` (float32 rows) beside `<space>/metadata/metadata_<n>.parquet`
 * with the same rows in the same order — `id` (segment), `item_hash`, `kind`, `image_path` (first
 * location), `caption` (the item's paired text), `url` — so autofaiss, numpy or pandas read them as they are.
 */
export async function exportEmbeddings(
  store: VectorStore,
  spaces: Pick<SpaceTableInfo, 'spaceId' | 'version'>[],
  outDir: string,
  options: ExportOptions = {},
): Promise<ExportedSpace[]> {
  const perPart = expectPositiveInt('rowsPerPart', options.rowsPerPart ?? 100_000);
  const { parquetWriteFile } = await import('hyparquet-writer'); // loaded here, not at package start-up
  const done: ExportedSpace[] = [];
  for (const space of spaces) {
    const dir = join(outDir, space.spaceId.replace(/[^A-Za-z0-9_.-]/g, '_'));
    mkdirSync(join(dir, 'img_emb'), { recursive: true });
    mkdirSync(join(dir, 'metadata'), { recursive: true });
    let part: VectorRecord[] = [];
    let parts = 0;
    let rows = 0;
    let dim = 0;
    const flush = async () => {
      if (!part.length) return;
      const items = new Map((await store.getItems([...new Set(part.map((v) => v.itemHash))])).map((i) => [i.hash, i]));
      const meta = (v: VectorRecord) => items.get(v.itemHash) as ItemRecord | undefined;
      writeNpyFloat32(
        join(dir, 'img_emb', `img_emb_${parts}.npy`),
        part.map((v) => v.vector),
        dim,
      );
      const str = (f: (v: VectorRecord) => string | undefined) => part.map((v) => f(v) ?? null);
      parquetWriteFile({
        filename: join(dir, 'metadata', `metadata_${parts}.parquet`),
        columnData: [
          { name: 'id', data: str((v) => v.segmentId), type: 'STRING' },
          { name: 'item_hash', data: str((v) => v.itemHash), type: 'STRING' },
          { name: 'kind', data: str((v) => v.segmentId.split(':')[1]), type: 'STRING' },
          { name: 'image_path', data: str((v) => meta(v)?.locations[0]), type: 'STRING' },
          { name: 'caption', data: str((v) => stringOr(meta(v)?.meta.caption)), type: 'STRING' },
          { name: 'url', data: str((v) => stringOr((meta(v)?.meta.source as { url?: unknown } | undefined)?.url)), type: 'STRING' },
        ],
      });
      rows += part.length;
      parts += 1;
      part = [];
      options.onProgress?.(rows, space.spaceId);
    };
    for await (const batch of store.scanVectors(space)) {
      for (const v of batch) {
        dim ||= v.vector.length;
        part.push(v);
        if (part.length >= perPart) await flush();
      }
    }
    await flush();
    done.push({ ...space, dim, rows, parts, dir });
  }
  return done;
}

const stringOr = (v: unknown) => (typeof v === 'string' ? v : undefined);
