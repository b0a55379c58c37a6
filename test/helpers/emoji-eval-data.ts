/**
 * Evaluation data for the mini model from the emoji the trainer held out (never seen in training):
 * an image–caption dataset (each held-out emoji with its CLDR label in each language as captions)
 * and a class dataset (emoji group as class). Built from installed npm packages, no network.
 */
import { loadEmojiPairs } from '../../src/datasets/emoji-pairs.js';
import type { CaptionDataset, ClassDataset } from '../../src/datasets/types.js';
import type { MediaTextPair } from '../../src/datasets/pairs.js';

export function heldOutCaptionDataset(languages: readonly string[] = ['en']): CaptionDataset {
  const pairs = loadEmojiPairs({ split: 'heldOut' });
  return {
    kind: 'captions',
    format: 'jsonl',
    source: `emoji held-out split (${pairs.length} emoji; captions: ${languages.join(', ')})`,
    images: pairs.map((p) => ({
      id: p.id,
      path: p.imagePath,
      captions: languages.map((l) => p.labels[l]).filter(Boolean),
      split: 'heldOut',
    })),
    issues: [],
  };
}

export function heldOutClassDataset(): ClassDataset {
  const pairs = loadEmojiPairs({ split: 'heldOut' });
  const folders = [...new Set(pairs.map((p) => p.group))].sort();
  return {
    kind: 'classes',
    source: `emoji held-out split by group (${pairs.length} emoji)`,
    classes: folders.map((f) => f.replace(/[-_]+/g, ' ')),
    folders,
    samples: pairs.map((p) => ({ path: p.imagePath, label: folders.indexOf(p.group) })),
    issues: [],
  };
}

export function heldOutPairs(language = 'en'): MediaTextPair[] {
  return loadEmojiPairs({ split: 'heldOut' }).map((p, k) => ({
    modality: 'image',
    path: p.imagePath,
    text: p.labels[language],
    row: k + 1,
  }));
}
