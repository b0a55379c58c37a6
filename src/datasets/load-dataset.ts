import { readdir, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { CaptionDataset, CaptionReadOptions, ClassDataset } from './types.js';
import { readCocoJson } from './coco-json.js';
import { readCaptionJsonl, readCaptionTable } from './caption-table.js';
import { IMAGE_EXTENSIONS, readCaptionFolder, readClassFolder } from './folders.js';
import { readShardCaptionDataset, shardFilesOf } from './shards/shard-dataset.js';

async function kindOf(path: string): Promise<'file' | 'dir'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (cause) {
    throw new RosettaError(ErrorCodes.DATASET_INVALID, `Dataset not found: ${path}`, {
      file: path,
      hint: 'pass a COCO/Karpathy .json, a .csv/.tsv/.token caption table, a .jsonl file, or a folder of images with .txt captions',
      cause,
    });
  }
}

/**
 * Reads an image–caption dataset, choosing the reader from the path: a folder (images + sidecar `.txt`),
 * `.json` (COCO captions or Karpathy splits), `.jsonl`/`.ndjson`, or a table (`.csv`, `.tsv`, `.txt`, `.token`).
 * Bad rows are listed in `issues`; only an unreadable path or an unknown extension throws.
 */
export async function loadCaptionDataset(path: string, options: CaptionReadOptions = {}): Promise<CaptionDataset> {
  const kind = await kindOf(path);
  // img2dataset output: a webdataset .tar / .parquet shard, or a folder of them.
  const shards = await shardFilesOf(path);
  if (shards.length) return readShardCaptionDataset(path, shards);
  if (kind === 'dir') return readCaptionFolder(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return readCocoJson(path, options);
  if (ext === '.jsonl' || ext === '.ndjson') return readCaptionJsonl(path, options);
  if (['.csv', '.tsv', '.txt', '.token'].includes(ext)) return readCaptionTable(path, options);
  throw new RosettaError(ErrorCodes.DATASET_INVALID, `Unknown caption dataset format '${ext}' for ${path}`, {
    file: path,
    hint: 'use .json (COCO/Karpathy), .jsonl, .csv/.tsv/.token, or a folder of images with .txt captions',
  });
}

/** Reads a folder-per-class dataset for zero-shot classification. */
export async function loadClassDataset(path: string): Promise<ClassDataset> {
  if ((await kindOf(path)) !== 'dir') {
    throw new RosettaError(ErrorCodes.DATASET_INVALID, `A zero-shot dataset is a folder of class folders, but ${path} is a file`, {
      file: path,
      hint: 'lay it out as <root>/<class name>/<image files>',
    });
  }
  return readClassFolder(path);
}

/**
 * Which evaluation a dataset path calls for: a folder whose sub-folders hold the images (and that has no images
 * or captions of its own) is a zero-shot class dataset; anything else is an image–caption dataset.
 */
export async function detectEvalTask(path: string): Promise<'retrieval' | 'zeroshot'> {
  if ((await kindOf(path)) !== 'dir') return 'retrieval';
  const entries = await readdir(path, { withFileTypes: true });
  const hasOwnImages = entries.some((e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()));
  return !hasOwnImages && entries.some((e) => e.isDirectory()) ? 'zeroshot' : 'retrieval';
}
