import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import type { DatasetIssue } from './types.js';
import { completeRecords, parseDelimited, sniffDelimiter } from './csv-parse.js';
import { findColumn } from './caption-table.js';
import { readShardPairs, shardFilesOf } from './shards/shard-dataset.js';

/** One media–text pair to score; `row` is the 1-based line it came from. */
export interface MediaTextPair {
  modality: 'image' | 'audio';
  path: string;
  text: string;
  row: number;
  /** The media's bytes when it has no file of its own (a shard sample). */
  bytes?: Uint8Array;
}

export interface PairsFile {
  source: string;
  pairs: MediaTextPair[];
  issues: DatasetIssue[];
}

const TEXT_COLUMNS = ['text', 'caption', 'prompt', 'comment'];

/**
 * Reads pairs for `score`/`check` batch mode from JSONL (`{"image": "a.png", "text": "…"}` or `"audio"`) or a
 * CSV/TSV with a header (`image,text` or `audio,text`). Paths are relative to the file's folder unless `root`
 * is given. Bad rows and missing files are reported and skipped.
 */
export async function readPairs(file: string, options: { root?: string; checkFiles?: boolean } = {}): Promise<PairsFile> {
  const shards = await shardFilesOf(file);
  if (shards.length) return { source: file, ...(await readShardPairs(shards)) };
  const issues: DatasetIssue[] = [];
  const pairs: MediaTextPair[] = [];
  const root = options.root ?? dirname(file);
  const text = await readFile(file, 'utf8');
  const add = (modality: 'image' | 'audio', path: string, caption: string, row: number) => {
    if (path.trim() === '') {
      issues.push({ file, row, reason: `empty ${modality} path` });
      return;
    }
    if (caption.trim() === '') {
      issues.push({ file, row, reason: 'empty text' });
      return;
    }
    const isUrl = /^https?:\/\//i.test(path.trim());
    const full = isUrl ? path.trim() : isAbsolute(path) ? path : resolve(root, path.trim());
    if (!isUrl && (options.checkFiles ?? true) && !existsSync(full)) {
      issues.push({ file, row, reason: `${modality} file not found: ${full}` });
      return;
    }
    pairs.push({ modality, path: full, text: caption.trim(), row });
  };
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    text.split('\n').forEach((line, k) => {
      if (line.trim() === '') return;
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch (err) {
        issues.push({ file, row: k + 1, reason: `not valid JSON: ${(err as Error).message}` });
        return;
      }
      const caption = TEXT_COLUMNS.map((c) => obj?.[c]).find((v) => typeof v === 'string') as string | undefined;
      const modality = typeof obj?.image === 'string' ? 'image' : typeof obj?.audio === 'string' ? 'audio' : undefined;
      if (!modality) {
        issues.push({ file, row: k + 1, reason: 'needs an "image" or "audio" path' });
        return;
      }
      if (caption === undefined) {
        issues.push({ file, row: k + 1, reason: `needs a text field (${TEXT_COLUMNS.join('/')})` });
        return;
      }
      add(modality, obj[modality] as string, caption, k + 1);
    });
    return { source: file, pairs, issues };
  }
  const records = parseDelimited(text, sniffDelimiter(text.split('\n', 1)[0] ?? ''));
  const header = records.shift();
  const imageCol = header ? findColumn(header.fields, ['image', 'image_path', 'file_name', 'filename']) : -1;
  const audioCol = header ? findColumn(header.fields, ['audio', 'audio_path']) : -1;
  const textCol = header ? findColumn(header.fields, TEXT_COLUMNS) : -1;
  if (!header || (imageCol < 0 && audioCol < 0) || textCol < 0) {
    issues.push({ file, row: 1, reason: 'header must name an image or audio column and a text column' });
    return { source: file, pairs, issues };
  }
  for (const rec of completeRecords(records, header.fields.length, file, issues)) {
    const useImage = imageCol >= 0 && rec.fields[imageCol].trim() !== '';
    add(useImage ? 'image' : 'audio', rec.fields[useImage ? imageCol : audioCol] ?? '', rec.fields[textCol], rec.line);
  }
  return { source: file, pairs, issues };
}
