import { readdir, readFile } from 'node:fs/promises';
import { extname, join, basename } from 'node:path';
import type { CaptionDataset, ClassDataset, DatasetIssue } from './types.js';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif', '.bmp']);
const isImage = (name: string) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

/**
 * Reads a folder of images with sidecar captions: `cat.jpg` + `cat.txt` (one caption per non-empty line).
 * Images without a sidecar, and sidecars without captions, are reported and skipped.
 */
export async function readCaptionFolder(dir: string): Promise<CaptionDataset> {
  const issues: DatasetIssue[] = [];
  const names = (await readdir(dir)).sort();
  const present = new Set(names);
  const images = [];
  for (const name of names) {
    if (!isImage(name)) continue;
    const sidecar = `${name.slice(0, -extname(name).length)}.txt`;
    const path = join(dir, name);
    if (!present.has(sidecar)) {
      issues.push({ file: path, reason: `no caption file ${sidecar} beside the image` });
      continue;
    }
    const captions = (await readFile(join(dir, sidecar), 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    if (captions.length === 0) {
      issues.push({ file: join(dir, sidecar), reason: 'caption file is empty' });
      continue;
    }
    images.push({ id: name, path, captions });
  }
  return { kind: 'captions', format: 'folder', source: dir, images, issues };
}

/** Reads a folder-per-class dataset: `root/<class>/<image>`; class names read `_` and `-` as spaces. */
export async function readClassFolder(dir: string): Promise<ClassDataset> {
  const issues: DatasetIssue[] = [];
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const folders: string[] = [];
  const samples: { path: string; label: number }[] = [];
  for (const folder of entries) {
    const files = (await readdir(join(dir, folder))).filter(isImage).sort();
    if (files.length === 0) {
      issues.push({ file: join(dir, folder), reason: 'class folder has no images' });
      continue;
    }
    const label = folders.length;
    folders.push(folder);
    for (const f of files) samples.push({ path: join(dir, folder, f), label });
  }
  if (folders.length < 2)
    issues.push({ file: dir, reason: `zero-shot classification needs at least 2 class folders with images, found ${folders.length}` });
  const classes = folders.map((f) => basename(f).replace(/[_-]+/g, ' ').trim());
  return { kind: 'classes', source: dir, classes, folders, samples, issues };
}
