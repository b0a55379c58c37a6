/**
 * What a trained adapter buys on a shifted domain: held-out Recall@K of text → image search before and after
 * `rosetta train --pairs`, measured through Rosetta's own search (`adapter: false` is the "before").
 *
 * Domain: the emoji rosetta-mini never saw in training (its held-out split), drawn as black silhouettes on white
 * (the colours the mini model leans on are gone), captioned by their English CLDR names. A fixed 70 % of them
 * are the user's (picture, caption) pairs the adapter is fitted on; the other 30 % are the test queries, searched
 * among all the silhouettes (the fitted ones stay in the collection as distractors).
 *
 *   npx tsx bench/adapter-quality.ts [--epochs 30]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rosetta, recallAtK, training } from '../src/index.js';
import { arg, printTable } from './lib.js';

const epochs = Number(arg('epochs', '30'));
const KS = [1, 5, 10];

const root = mkdtempSync(join(tmpdir(), 'rosetta-adapter-bench-'));
try {
  const pairs = training.loadEmojiPairs({ split: 'heldOut', languages: ['en'] });
  const pictures = join(root, 'silhouettes');
  mkdirSync(pictures);
  const files: { path: string; caption: string }[] = [];
  for (const p of pairs) {
    const { data, info } = await sharp(p.imagePath).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    for (let i = 0; i < data.length; i += 4) data[i] = data[i + 1] = data[i + 2] = 0;
    const path = join(pictures, `${p.id}.png`);
    writeFileSync(
      path,
      await sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } })
        .png()
        .toBuffer(),
    );
    files.push({ path, caption: p.labels.en });
  }
  // A fixed split by position in the id-sorted list: 3 pictures in 10 are test queries.
  const test = files.filter((_, i) => i % 10 >= 7);
  const fit = files.filter((_, i) => i % 10 < 7);
  const pairsFile = join(root, 'pairs.jsonl');
  writeFileSync(pairsFile, fit.map((f) => JSON.stringify({ image: f.path, caption: f.caption })).join('\n'));

  const rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: ['mini'], offline: true });
  try {
    const indexed = await rosetta.index([pictures]);
    const recall = async (adapter: boolean) => {
      const ranks: number[] = [];
      for (const q of test) {
        const hits = await rosetta.search(q.caption, { k: 10, in: ['image'], adapter });
        const at = hits.findIndex((h) => h.locations.includes(q.path));
        ranks.push(at >= 0 ? at + 1 : Infinity);
      }
      return Object.fromEntries(KS.map((k) => [`R@${k}`, recallAtK(ranks, k)]));
    };
    const before = await recall(false);
    const started = performance.now();
    const trained = await rosetta.trainAdapter(pairsFile, { epochs });
    const seconds = (performance.now() - started) / 1000;
    const after = await recall(true);
    console.log(
      `mini model, ${indexed.added} silhouettes indexed; ` +
        `adapter fitted on ${fit.length} pairs (${trained.skipped.length} skipped) in ${seconds.toFixed(1)} s, ${epochs} epochs`,
    );
    // Identical silhouettes (e.g. flags) are one item with several paths: chance is over the distinct items.
    printTable(
      `Held-out text → image search over ${files.length} silhouettes, ${indexed.added} distinct ` +
        `(${test.length} queries, chance R@10 ${(10 / indexed.added).toFixed(3)})`,
      [
        { adapter: 'none', ...before },
        { adapter: `fitted (${fit.length} pairs)`, ...after },
      ],
    );
    printTable(`Adapter's own held-out split (image → text, ${trained.saved.heldOut} of the fitted pairs)`, [
      { when: 'before', ...Object.fromEntries(KS.map((k) => [`R@${k}`, trained.saved.before[k]])) },
      { when: 'after', ...Object.fromEntries(KS.map((k) => [`R@${k}`, trained.saved.after[k]])) },
    ]);
  } finally {
    await rosetta.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
