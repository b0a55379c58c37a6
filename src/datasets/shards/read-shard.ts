import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { readParquetShard } from './parquet-shard.js';
import { shardKindOf, type ShardSample } from './shard-sample.js';
import { readWebdatasetTar } from './webdataset-tar.js';

/** Streams the samples of one shard, choosing the reader from the content (tar `ustar` magic, parquet `PAR1`), not the name. */
export async function* readShard(path: string): AsyncGenerator<ShardSample> {
  const kind = await shardKindOf(path);
  if (kind === 'parquet') yield* readParquetShard(path);
  else if (kind === 'tar') yield* readWebdatasetTar(path);
  else {
    throw new RosettaError(ErrorCodes.MEDIA_UNSUPPORTED, `${path} is neither a webdataset tar nor a parquet file (by its content)`, {
      file: path,
      hint: 'a shard is a tar (ustar) or parquet file; index other files as files',
    });
  }
}
