import type { FileMetaData } from 'hyparquet';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ShardSample } from './shard-sample.js';

/** Column names img2dataset and LAION metadata use, first match wins (compared case-insensitively). */
const URL_COLUMNS = ['url', 'image_url'];
const CAPTION_COLUMNS = ['caption', 'text', 'top_caption', 'alt'];
const KEY_COLUMNS = ['key', 'id', 'sample_id'];
const IMAGE_COLUMNS = ['jpg', 'jpeg', 'png', 'webp', 'image', 'image_bytes', 'bytes'];
/** Bytes at the end of a parquet file after the footer: its length (4) and `PAR1` (4). */
const TAIL = 8;

/**
 * Streams the samples of a parquet file: img2dataset's parquet output (url, caption, key, status and,
 * with `--output_format parquet`, the image bytes in a `jpg` column) or LAION-style metadata (URL,
 * TEXT). The footer's claims (row counts, where each column chunk lies) are checked against the file
 * before anything is read; then each row group's needed columns (key, url, caption, image: no others)
 * are read and decoded once, and its rows are yielded one by one from those columns. Reading is linear
 * in the file; memory holds one row group's needed columns.
 */
export async function* readParquetShard(path: string): AsyncGenerator<ShardSample> {
  // Loaded here, not at package start-up: every command imports the data-set readers, few read a Parquet shard.
  const { asyncBufferFromFile, parquetMetadataAsync, parquetScan, parquetSchema } = await import('hyparquet');
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: FileMetaData;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (cause) {
    throw new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${path} is not a readable parquet file: ${(cause as Error).message}`, {
      file: path,
      cause,
      hint: 'check the file is complete parquet (it ends with PAR1)',
    });
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  const pick = (wanted: string[]) => wanted.map((w) => names.find((n) => n.toLowerCase() === w)).find((n) => n !== undefined);
  const urlCol = pick(URL_COLUMNS),
    captionCol = pick(CAPTION_COLUMNS),
    keyCol = pick(KEY_COLUMNS),
    imageCol = pick(IMAGE_COLUMNS);
  if (!urlCol && !imageCol) {
    throw new RosettaError(
      ErrorCodes.DATASET_INVALID,
      `${path} has neither an image column (${IMAGE_COLUMNS.join('/')}) nor a url column (${URL_COLUMNS.join('/')})`,
      { file: path, hint: `its columns are: ${names.join(', ')}` },
    );
  }
  const columns = [keyCol, urlCol, captionCol, imageCol].filter((c): c is string => c !== undefined);
  checkFooter(path, metadata, file.byteLength, columns);
  const corrupt = (message: string, cause?: unknown) =>
    new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${path}: ${message}`, {
      file: path,
      cause,
      hint: 're-download or re-create the file (samples before the damage were read)',
    });
  // Text columns decode to strings (far lighter than a byte array per cell); the image column stays bytes.
  const textColumns = columns.filter((c) => c !== imageCol);
  const scans = new Map<string, Awaited<ReturnType<typeof parquetScan>>>();
  try {
    const text = textColumns.length ? await parquetScan({ file, metadata, columns: textColumns, useOffsetIndex: false }) : undefined;
    for (const c of textColumns) scans.set(c, text!);
    if (imageCol) scans.set(imageCol, await parquetScan({ file, metadata, columns: [imageCol], useOffsetIndex: false, utf8: false }));
  } catch (cause) {
    throw corrupt(`cannot be read: ${(cause as Error).message}`, cause);
  }
  let groupStart = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const rows = Number(group.num_rows);
    const groupEnd = groupStart + rows;
    if (rows === 0) continue;
    const data = new Map<string, ArrayLike<unknown>>();
    try {
      for (const column of columns) {
        const values = await scans.get(column)!.readColumn({ column, rowStart: groupStart, rowEnd: groupEnd });
        if (values.length !== rows) throw new Error(`column ${column} holds ${values.length} values where the footer claims ${rows} rows`);
        data.set(column, values);
      }
    } catch (cause) {
      throw corrupt(`row group ${g} (rows ${groupStart}–${groupEnd - 1}) cannot be read: ${(cause as Error).message}`, cause);
    }
    const at = (column: string | undefined, i: number) => (column ? data.get(column)![i] : undefined);
    for (let i = 0; i < rows; i += 1) {
      const key = at(keyCol, i);
      const sample: ShardSample = { shard: path, key: key != null ? text(key) : String(groupStart + i) };
      const image = bytesOf(at(imageCol, i));
      if (image?.byteLength) sample.image = image;
      const url = at(urlCol, i);
      if (url != null) sample.url = text(url);
      const caption = at(captionCol, i);
      if (caption != null) sample.caption = text(caption).trim();
      yield sample;
    }
    data.clear();
    groupStart = groupEnd;
  }
}

/**
 * The footer is the file's own account of itself, and a damaged or forged one must not make the reader
 * loop over rows that are not there: the row groups' rows add up to the file's, every column chunk to
 * be read lies between the leading `PAR1` and the footer, and a flat column holds one value per row.
 */
function checkFooter(path: string, metadata: FileMetaData, fileBytes: number, columns: string[]): void {
  const lie = (what: string) =>
    new RosettaError(ErrorCodes.MEDIA_CORRUPT, `${path}: the parquet footer is not consistent with the file (${what})`, {
      file: path,
      hint: 're-download or re-create the file; its footer describes data that is not there',
    });
  const dataEnd = fileBytes - TAIL - metadata.metadata_length;
  let sum = 0;
  for (const [g, group] of metadata.row_groups.entries()) {
    const rows = Number(group.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0) throw lie(`row group ${g} claims ${group.num_rows} rows`);
    sum += rows;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta || meta.path_in_schema.length === 0 || !columns.includes(meta.path_in_schema[0])) continue;
      const name = meta.path_in_schema.join('.');
      // Where the reader will start: the dictionary page when there is one (some writers put 0 for none).
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (!(start >= 4 && end > start && end <= dataEnd)) {
        throw lie(`row group ${g} column ${name} claims bytes ${start}–${end} of a file whose data ends at byte ${dataEnd}`);
      }
      if (meta.path_in_schema.length === 1 && Number(meta.num_values) !== rows) {
        throw lie(`row group ${g} claims ${rows} rows but its column ${name} ${meta.num_values} values`);
      }
    }
  }
  if (sum !== Number(metadata.num_rows)) throw lie(`the file claims ${metadata.num_rows} rows, its row groups ${sum}`);
}

function text(v: unknown): string {
  return v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : String(v);
}

/** Image cells are raw bytes, or a struct `{ bytes }` as Hugging Face datasets write them. */
function bytesOf(v: unknown): Buffer | undefined {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v && typeof v === 'object' && (v as { bytes?: unknown }).bytes instanceof Uint8Array)
    return bytesOf((v as { bytes: Uint8Array }).bytes);
  return undefined;
}
