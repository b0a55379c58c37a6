import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { CaptionedImage, DatasetIssue } from './types.js';

/**
 * Collects (image, caption) rows into images with their captions, in first-seen order, resolving each image
 * name against a root folder. Missing files are reported once per image and left out.
 */
export class ImageGrouper {
  private readonly byName = new Map<string, CaptionedImage>();
  private readonly missing = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly root: string,
    private readonly issues: DatasetIssue[],
    private readonly checkFiles = true,
    private readonly split?: string,
  ) {}

  add(name: string, caption: string, row: number, split?: string): void {
    if (this.split !== undefined && split !== undefined && split !== this.split) return;
    const text = caption.trim();
    if (name.trim() === '') {
      this.issues.push({ file: this.file, row, reason: 'empty image name' });
      return;
    }
    if (text === '') {
      this.issues.push({ file: this.file, row, reason: `empty caption for image '${name}'` });
      return;
    }
    const key = name.trim();
    if (this.missing.has(key)) return;
    let image = this.byName.get(key);
    if (!image) {
      const path = isAbsolute(key) ? key : resolve(this.root, key);
      if (this.checkFiles && !existsSync(path)) {
        this.missing.add(key);
        this.issues.push({ file: this.file, row, reason: `image file not found: ${path}` });
        return;
      }
      image = { id: key, path, captions: [], split };
      this.byName.set(key, image);
    }
    image.captions.push(text);
  }

  images(): CaptionedImage[] {
    return [...this.byName.values()];
  }
}
