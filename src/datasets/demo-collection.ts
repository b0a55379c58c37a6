import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmojiPairs, type EmojiPair } from './emoji-pairs.js';

export interface DemoCollection {
  filesDir: string;
  images: { pair: EmojiPair; path: string }[];
  notes: { pair: EmojiPair; path: string }[];
}

const slug = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^\w\s-]/g, '').trim().replace(/[\s_]+/g, '-').slice(0, 60);

/**
 * Lays out a real sample collection from files that npm packages ship: the emoji pictures the mini
 * model never saw in training (its held-out split), named by their English label, and short notes
 * that describe some of them in German. Search sees only the pixels and the note text, never the names.
 */
export function buildDemoCollection(outDir: string, options: { limit?: number } = {}): DemoCollection {
  // The emoji data are development dependencies: without them this fails, naming them, before writing anything.
  const pairs = loadEmojiPairs({ split: 'heldOut', languages: ['en', 'de'] }).slice(0, options.limit ?? 400);
  const filesDir = join(outDir, 'files');
  mkdirSync(join(filesDir, 'emoji'), { recursive: true });
  mkdirSync(join(filesDir, 'notes'), { recursive: true });
  const used = new Set<string>();
  const images = pairs.map((pair) => {
    let name = slug(pair.labels.en) || pair.id.toLowerCase();
    while (used.has(name)) name = `${name}-${pair.id.toLowerCase()}`;
    used.add(name);
    const path = join(filesDir, 'emoji', `${name}.png`);
    if (!existsSync(path)) copyFileSync(pair.imagePath, path);
    return { pair, path };
  });
  const notes = pairs.filter((_, i) => i % 10 === 0).map((pair) => {
    const path = join(filesDir, 'notes', `${slug(pair.labels.en) || pair.id}.txt`);
    writeFileSync(path, `${pair.labels.de}. ${(pair.tags.de ?? []).slice(0, 4).join(', ')}\n`);
    return { pair, path };
  });
  return { filesDir, images, notes };
}
