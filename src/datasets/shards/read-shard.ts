import { readParquetShard } from './parquet-shard.js';
import type { ShardSample } from './shard-sample.js';
import { readWebdatasetTar } from './webdataset-tar.js';

/** Streams the samples of one shard, choosing the reader from the extension (`.tar` or `.parquet`). */
export function readShard(path: string): AsyncGenerator<ShardSample> {
  return /\.parquet$/i.test(path) ? readParquetShard(path) : readWebdatasetTar(path);
}
