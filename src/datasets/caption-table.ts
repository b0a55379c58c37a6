import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CaptionDataset, CaptionReadOptions, DatasetIssue } from './types.js';
import { ImageGrouper } from './image-grouper.js';
import { completeRecords, parseDelimited, sniffDelimiter } from './csv-parse.js';

const IMAGE_COLUMNS = ['image', 'image_name', 'filename', 'file_name', 'file', 'path', 'image_path'];
const CAPTION_COLUMNS = ['caption', 'comment', 'text', 'sentence', 'raw'];

/** Finds a column by any of its usual names (case and surrounding space ignored). */
export function findColumn(header: string[], names: readonly string[]): number {
  const norm = header.map((h) => h.trim().toLowerCase());
  for (const n of names) {
    const at = norm.indexOf(n);
    if (at >= 0) return at;
  }
  return -1;
}

/**
 * Reads a caption table: CSV/TSV with a header naming the image and caption columns (`image,caption`, or the
 * Flickr30k Kaggle form `image_name| comment_number| comment`), an optional `split` column; or the original
 * Flickr30k token file (`1000092795.jpg#0<TAB>caption`, no header).
 */
export async function readCaptionTable(file: string, options: CaptionReadOptions = {}): Promise<CaptionDataset> {
  const issues: DatasetIssue[] = [];
  const text = await readFile(file, 'utf8');
  const root = options.imageRoot ?? dirname(file);
  const grouper = new ImageGrouper(file, root, issues, options.checkFiles ?? true, options.split);
  const firstLine = text.split('\n', 1)[0] ?? '';
  if (/^[^\t]+#\d+\t/.test(firstLine)) {
    text.split('\n').forEach((line, k) => {
      if (line.trim() === '') return;
      const m = /^([^\t#]+)#\d+\t(.*)$/.exec(line.replace(/\r$/, ''));
      if (!m) {
        issues.push({ file, row: k + 1, reason: 'expected "<image>#<n><TAB><caption>"' });
        return;
      }
      grouper.add(m[1], m[2], k + 1);
    });
    return { kind: 'captions', format: 'flickr-token', source: file, images: grouper.images(), issues };
  }
  const records = parseDelimited(text, sniffDelimiter(firstLine));
  const header = records.shift();
  const imageCol = header ? findColumn(header.fields, IMAGE_COLUMNS) : -1;
  const captionCol = header ? findColumn(header.fields, CAPTION_COLUMNS) : -1;
  if (!header || imageCol < 0 || captionCol < 0) {
    issues.push({
      file,
      row: 1,
      reason: `header must name an image column (${IMAGE_COLUMNS.join('/')}) and a caption column (${CAPTION_COLUMNS.join('/')})`,
    });
    return { kind: 'captions', format: 'csv', source: file, images: [], issues };
  }
  const splitCol = findColumn(header.fields, ['split']);
  for (const rec of completeRecords(records, header.fields.length, file, issues)) {
    grouper.add(rec.fields[imageCol], rec.fields[captionCol], rec.line, splitCol >= 0 ? rec.fields[splitCol].trim() : undefined);
  }
  return { kind: 'captions', format: 'csv', source: file, images: grouper.images(), issues };
}

/**
 * Reads JSON Lines: one object per line with an image (`image`/`file_name`/`path`…) and either one caption
 * (`caption`/`text`) or several (`captions`: string[]), and an optional `split`.
 */
export async function readCaptionJsonl(file: string, options: CaptionReadOptions = {}): Promise<CaptionDataset> {
  const issues: DatasetIssue[] = [];
  const text = await readFile(file, 'utf8');
  const grouper = new ImageGrouper(file, options.imageRoot ?? dirname(file), issues, options.checkFiles ?? true, options.split);
  text.split('\n').forEach((line, k) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      issues.push({ file, row: k + 1, reason: `not valid JSON: ${(err as Error).message}` });
      return;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      issues.push({ file, row: k + 1, reason: 'expected a JSON object' });
      return;
    }
    const obj = row as Record<string, unknown>;
    const image = IMAGE_COLUMNS.map((c) => obj[c]).find((v) => typeof v === 'string') as string | undefined;
    const captions = Array.isArray(obj.captions)
      ? obj.captions
      : CAPTION_COLUMNS.map((c) => obj[c])
          .filter((v) => v !== undefined)
          .slice(0, 1);
    if (image === undefined) {
      issues.push({ file, row: k + 1, reason: `no image field (${IMAGE_COLUMNS.join('/')})` });
      return;
    }
    if (captions.length === 0) {
      issues.push({ file, row: k + 1, reason: 'no caption field (caption/text or captions[])' });
      return;
    }
    const split = typeof obj.split === 'string' ? obj.split : undefined;
    for (const c of captions) {
      if (typeof c !== 'string') {
        issues.push({ file, row: k + 1, reason: 'caption is not a string' });
        continue;
      }
      grouper.add(image, c, k + 1, split);
    }
  });
  return { kind: 'captions', format: 'jsonl', source: file, images: grouper.images(), issues };
}
