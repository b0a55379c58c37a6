import type { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ShardSample } from './shard-sample.js';

/** Column names img2dataset and LAION metadata use, first match wins (compared case-insensitively). */
const URL_COLUMNS = ['url', 'image_url'];
const CAPTION_COLUMNS = ['caption', 'text', 'top_caption', 'alt'];
const KEY_COLUMNS = ['key', 'id', 'sample_id'];
const IMAGE_COLUMNS = ['jpg', 'jpeg', 'png', 'webp', 'image', 'image_bytes', 'bytes'];
/** Rows decoded per read: the reader pages through the file, never holding it whole. */
const ROWS_PER_READ = 256;

/**
 * Streams the samples of a parquet file: img2dataset's parquet output (url, caption, key, status and,
 * with `--output_format parquet`, the image bytes in a `jpg` column) or LAION-style metadata (URL,
 * TEXT). Rows are read a page at a time through a ranged file reader.
 */
export async function* readParquetShard(path: string): AsyncGenerator<ShardSample> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import('hyparquet'); // loaded here, not at package start-up
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${path} is not a readable parquet file: ${(cause as Error).message}`,
      { file: path, cause, hint: 'check the file is complete parquet (it ends with PAR1)' });
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const pick = (wanted: string[]) => wanted.map((w) => names.find((n) => n.toLowerCase() === w)).find((n) => n !== undefined);
  const urlCol = pick(URL_COLUMNS), captionCol = pick(CAPTION_COLUMNS), keyCol = pick(KEY_COLUMNS), imageCol = pick(IMAGE_COLUMNS);
  if (!urlCol && !imageCol) {
    throw new RosettaError(ErrorCodes.DATASET_INVALID, `${path} has neither an image column (${IMAGE_COLUMNS.join('/')}) nor a url column (${URL_COLUMNS.join('/')})`,
      { file: path, hint: `its columns are: ${names.join(', ')}` });
  }
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += ROWS_PER_READ) {
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file, metadata, rowStart: start, rowEnd: Math.min(total, start + ROWS_PER_READ), utf8: false });
    } catch (cause) {
      throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${path}: rows ${start}… cannot be read: ${(cause as Error).message}`, { file: path, cause });
    }
    for (const [i, row] of rows.entries()) {
      const sample: ShardSample = { shard: path, key: keyCol && row[keyCol] != null ? text(row[keyCol]) : String(start + i) };
      const image = imageCol ? bytesOf(row[imageCol]) : undefined;
      if (image?.byteLength) sample.image = image;
      if (urlCol && row[urlCol] != null) sample.url = text(row[urlCol]);
      if (captionCol && row[captionCol] != null) sample.caption = text(row[captionCol]).trim();
      const json: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        if (k === imageCol || v == null) continue;
        json[k] = v instanceof Uint8Array ? text(v) : typeof v === 'bigint' ? Number(v) : v;
      }
      sample.json = json;
      yield sample;
    }
  }
}

function text(v: unknown): string {
  return v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
}

/** Image cells are raw bytes, or a struct `{ bytes }` as Hugging Face datasets write them. */
function bytesOf(v: unknown): Buffer | undefined {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v && typeof v === 'object' && (v as { bytes?: unknown }).bytes instanceof Uint8Array) return bytesOf((v as { bytes: Uint8Array }).bytes);
  return undefined;
}
