import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CaptionDataset, CaptionReadOptions, DatasetIssue } from './types.js';
import { ImageGrouper } from './image-grouper.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads captions from JSON in either of the two common layouts:
 * - COCO captions (`captions_val2017.json`): `images[{id, file_name}]` + `annotations[{image_id, caption}]`;
 * - Karpathy splits (`dataset_flickr30k.json`, `dataset_coco.json`): `images[{filename, filepath?, split,
 *   sentences[{raw}]}]` — the file that defines the standard Flickr30k 1k test split.
 */
export async function readCocoJson(file: string, options: CaptionReadOptions = {}): Promise<CaptionDataset> {
  const issues: DatasetIssue[] = [];
  const root = options.imageRoot ?? dirname(file);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    issues.push({ file, reason: `not valid JSON: ${(err as Error).message}` });
    return { kind: 'captions', format: 'coco', source: file, images: [], issues };
  }
  const images = isObject(data) && Array.isArray(data.images) ? data.images : undefined;
  if (!images) {
    issues.push({ file, reason: 'no "images" array: expected COCO captions or Karpathy split JSON' });
    return { kind: 'captions', format: 'coco', source: file, images: [], issues };
  }
  const grouper = new ImageGrouper(file, root, issues, options.checkFiles ?? true, options.split);
  if (isObject(data) && Array.isArray(data.annotations)) {
    const names = new Map<string, { name: string; split?: string }>();
    images.forEach((img, k) => {
      if (!isObject(img) || (typeof img.id !== 'number' && typeof img.id !== 'string') || typeof img.file_name !== 'string') {
        issues.push({ file, row: k + 1, reason: 'image entry needs "id" and "file_name"' });
        return;
      }
      names.set(String(img.id), { name: img.file_name, split: typeof img.split === 'string' ? img.split : undefined });
    });
    data.annotations.forEach((ann, k) => {
      if (!isObject(ann) || typeof ann.caption !== 'string' || (typeof ann.image_id !== 'number' && typeof ann.image_id !== 'string')) {
        issues.push({ file, row: k + 1, reason: 'annotation needs "image_id" and a string "caption"' });
        return;
      }
      const image = names.get(String(ann.image_id));
      if (!image) {
        issues.push({ file, row: k + 1, reason: `annotation refers to unknown image_id ${ann.image_id}` });
        return;
      }
      grouper.add(image.name, ann.caption, k + 1, image.split);
    });
    return { kind: 'captions', format: 'coco', source: file, images: grouper.images(), issues };
  }
  images.forEach((img, k) => {
    if (!isObject(img) || typeof img.filename !== 'string' || !Array.isArray(img.sentences)) {
      issues.push({ file, row: k + 1, reason: 'image entry needs "filename" and a "sentences" array' });
      return;
    }
    const name = typeof img.filepath === 'string' && img.filepath !== '' ? `${img.filepath}/${img.filename}` : img.filename;
    const split = typeof img.split === 'string' ? img.split : undefined;
    for (const sentence of img.sentences) {
      const raw = isObject(sentence) ? sentence.raw : sentence;
      if (typeof raw !== 'string') {
        issues.push({ file, row: k + 1, reason: 'sentence without a "raw" string' });
        continue;
      }
      grouper.add(name, raw, k + 1, split);
    }
  });
  return { kind: 'captions', format: 'karpathy', source: file, images: grouper.images(), issues };
}
