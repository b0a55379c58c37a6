import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmojiPair } from '../../datasets/emoji-pairs.js';
import { iconSvg, rasterise } from '../features/picture-pixels.js';
import { HELD_OUT_STYLE } from './picture-sources.js';
import { loadStylePictures } from './style-pictures.js';

export interface DemoCollection {
  filesDir: string;
  /** The drawing style of the pictures: one the shipped mini model never saw in training. */
  style: string;
  images: { pair: EmojiPair; path: string }[];
  notes: { pair: EmojiPair; path: string }[];
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .replace(/[\s_]+/g, '-')
    .slice(0, 60);
const rank = (s: string) => createHash('sha256').update(s).digest().readUInt32BE(0);

/**
 * Lays out a real sample collection from files that npm packages ship: emoji drawn in the style the shipped
 * mini model never saw in training (EmojiOne 2, held out of every fit), rasterised to PNG as a user's export
 * would arrive, named by their English label, and short notes describing some of them in German. The pictures
 * are the first `limit` concepts by SHA-256 of the emoji id (a fixed sample). Search sees only the pixels and
 * the note text, never the names.
 */
export async function buildDemoCollection(outDir: string, options: { limit?: number } = {}): Promise<DemoCollection> {
  // The emoji data are development dependencies: without them this fails, naming them, before writing anything.
  const pictures = loadStylePictures({ languages: ['en', 'de'], styles: [HELD_OUT_STYLE] }).filter(
    (p) => p.emoji && p.svg && p.emoji.labels.en && p.emoji.labels.de,
  );
  const seen = new Set<string>();
  const chosen = pictures
    .filter((p) => !seen.has(p.concept) && seen.add(p.concept))
    .sort((a, b) => rank(a.concept) - rank(b.concept) || (a.concept < b.concept ? -1 : 1))
    .slice(0, options.limit ?? 400);
  const filesDir = join(outDir, 'files');
  mkdirSync(join(filesDir, 'emoji'), { recursive: true });
  mkdirSync(join(filesDir, 'notes'), { recursive: true });
  const used = new Set<string>();
  const images: DemoCollection['images'] = [];
  for (const p of chosen) {
    const pair = p.emoji!;
    let name = slug(pair.labels.en) || pair.id.toLowerCase();
    while (used.has(name)) name = `${name}-${pair.id.toLowerCase()}`;
    used.add(name);
    const path = join(filesDir, 'emoji', `${name}.png`);
    if (!existsSync(path)) writeFileSync(path, await rasterise(iconSvg(p.svg!.body, p.svg!, 128)));
    images.push({ pair, path });
  }
  const notes = images
    .filter((_, i) => i % 10 === 0)
    .map(({ pair }) => {
      const path = join(filesDir, 'notes', `${slug(pair.labels.en) || pair.id}.txt`);
      writeFileSync(path, `${pair.labels.de}. ${(pair.tags.de ?? []).slice(0, 4).join(', ')}\n`);
      return { pair, path };
    });
  return { filesDir, style: HELD_OUT_STYLE, images, notes };
}
