import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaptionDataset, DatasetIssue } from '../types.js';
import type { MediaTextPair } from '../pairs.js';
import { readShard } from './read-shard.js';
import { isShardPath, sampleLocation, shardKindOf } from './shard-sample.js';

/** The shard files a path names: itself if it is a shard, else the shards directly in the folder (sorted); shards by content. */
export async function shardFilesOf(path: string): Promise<string[]> {
  if (isShardPath(path) && (await shardKindOf(path))) return [path];
  if (!(await stat(path).catch(() => undefined))?.isDirectory()) return [];
  const named = (await readdir(path))
    .filter(isShardPath)
    .sort()
    .map((n) => join(path, n));
  const kinds = await Promise.all(named.map(shardKindOf));
  return named.filter((_, i) => kinds[i]);
}

/**
 * The image–caption pairs of shards, for `eval retrieval` and `train --pairs` straight from img2dataset's
 * output. Image bytes are kept in memory with each pair (shards hold no separate files); samples without
 * embedded bytes or caption are reported as issues (fetch them by indexing the shard instead).
 */
export async function readShardPairs(shards: string[]): Promise<{ pairs: (MediaTextPair & { bytes: Buffer })[]; issues: DatasetIssue[] }> {
  const pairs: (MediaTextPair & { bytes: Buffer })[] = [];
  const issues: DatasetIssue[] = [];
  for (const shard of shards) {
    let row = 0;
    for await (const s of readShard(shard)) {
      row += 1;
      if (s.error) {
        issues.push({ file: shard, row, reason: `${s.key}: ${s.error.message}` });
        continue;
      }
      if (!s.image?.byteLength) {
        issues.push({ file: shard, row, reason: `${s.key}: no embedded image bytes${s.url ? ' (URL only)' : ''}` });
        continue;
      }
      if (!s.caption) {
        issues.push({ file: shard, row, reason: `${s.key}: no caption` });
        continue;
      }
      pairs.push({ modality: 'image', path: sampleLocation(shard, s.key), text: s.caption, row, bytes: s.image });
    }
  }
  return { pairs, issues };
}

/** Shards as a caption dataset: one image per sample with its caption. */
export async function readShardCaptionDataset(path: string, shards: string[]): Promise<CaptionDataset> {
  const { pairs, issues } = await readShardPairs(shards);
  return {
    kind: 'captions',
    format: /\.parquet$/i.test(shards[0] ?? '') ? 'parquet' : 'webdataset',
    source: path,
    issues,
    images: pairs.map((p) => ({ id: p.path, path: p.path, captions: [p.text], bytes: p.bytes })),
  };
}
