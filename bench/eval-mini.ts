/**
 * Evaluates the mini model on the emoji it never saw in training (the fixed held-out split) and prints the
 * table for the issue note: retrieval (English captions, then all five languages), zero-shot by emoji group,
 * calibration of the consistency check, and the bias probe. The baseline, measured in the same run, is a
 * random similarity matrix of the same shape (chance level).
 *   npx tsx bench/eval-mini.ts [modelDir]
 * Writes bench/out/eval-mini.html (the report) and bench/out/eval-mini.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadSpace } from '../src/spaces/load-space.js';
import { resolveRuntime } from '../src/models/runtime-options.js';
import { MINI_MODEL_DIR } from '../src/models/model-ref.js';
import {
  evaluateRetrieval,
  evaluateZeroShot,
  check,
  audit,
  writeReport,
  summariseRanks,
  textToImageRanks,
  imageToTextRanks,
} from '../src/eval/index.js';
import { seededRandom } from '../src/util/random.js';
import { heldOutCaptionDataset, heldOutClassDataset, heldOutPairs } from '../test/helpers/emoji-eval-data.js';

const dir = resolve(process.argv[2] ?? MINI_MODEL_DIR);
if (!existsSync(join(dir, 'rosetta.json'))) {
  console.log(`No mini model at ${dir} (rosetta.json missing): train it first.`);
  process.exit(0);
}
const space = await loadSpace({ model: dir }, resolveRuntime({ offline: true }));
const pct = (v: number) => `${(v * 100).toFixed(1)}`.padStart(5);

const en = await evaluateRetrieval(space, heldOutCaptionDataset(['en']), { batchSize: 64 });
const multi = await evaluateRetrieval(space, heldOutCaptionDataset(['en', 'de', 'fr', 'es', 'ja']), { batchSize: 64 });
const zs = await evaluateZeroShot(space, heldOutClassDataset(), { templates: ['{}', 'an emoji of {}'] });
const checked = await check(space, heldOutPairs('en'), { seed: 0 });
const probe = await audit(space, { permutations: 10_000, seed: 0 });

function chance(images: number, captionImage: number[]) {
  const random = seededRandom(1);
  const sims = captionImage.map(() => Float32Array.from({ length: images }, () => random()));
  return { t2i: summariseRanks(textToImageRanks(sims, captionImage)), i2t: summariseRanks(imageToTextRanks(sims, captionImage, images)) };
}
const rows: [string, typeof en.t2i, typeof en.i2t][] = [];
for (const [name, r] of [
  ['held-out, en', en],
  ['held-out, 5 languages', multi],
] as const) {
  const captionImage: number[] = [];
  const per = r.dataset.captions / r.dataset.images;
  for (let i = 0; i < r.dataset.images; i += 1) for (let c = 0; c < per; c += 1) captionImage.push(i);
  const base = chance(r.dataset.images, captionImage);
  rows.push([`${name} (mini)`, r.t2i, r.i2t], [`${name} (chance)`, base.t2i, base.i2t]);
}
console.log(`mini model: ${dir}\n${en.protocol}\n`);
console.log('dataset                              | T→I R@1  R@5 R@10  MdR   MRR | I→T R@1  R@5 R@10  MdR   MRR');
for (const [name, t, i] of rows) {
  console.log(
    `${name.padEnd(36)} | ${pct(t.r1)} ${pct(t.r5)} ${pct(t.r10)} ${String(t.medianRank).padStart(4)} ${t.mrr.toFixed(3)} ` +
      `| ${pct(i.r1)} ${pct(i.r5)} ${pct(i.r10)} ${String(i.medianRank).padStart(4)} ${i.mrr.toFixed(3)}`,
  );
}
console.log(
  `\nzero-shot by group (${zs.dataset.classes.length} classes, ${zs.dataset.samples} images): accuracy ${pct(zs.summary.accuracy)}%, ` +
    `balanced ${pct(zs.summary.macroRecall)}%, chance ${pct(1 / zs.dataset.classes.length)}%`,
);
const cal = checked.calibration.image!;
console.log(
  `check calibration (held-out en pairs): threshold ${cal.threshold.toFixed(3)}, AUC ${cal.auc.toFixed(3)}, ` +
    `balanced accuracy ${pct(cal.balancedAccuracy)}%, EER ${pct(cal.equalError.rate)}%`,
);
for (const t of probe.tests) console.log(`audit ${t.name}: d = ${t.effectSize.toFixed(2)}, p = ${t.pValue.toFixed(4)}`);
console.log(`seconds: retrieval en ${en.seconds.toFixed(1)}, 5 languages ${multi.seconds.toFixed(1)}, zero-shot ${zs.seconds.toFixed(1)}`);

await mkdir('bench/out', { recursive: true });
await writeReport('bench/out/eval-mini.html', {
  title: 'Rosetta mini model — held-out emoji',
  retrieval: [en],
  zeroshot: [zs],
  check: checked,
  audit: probe,
});
await writeFile(
  'bench/out/eval-mini.json',
  JSON.stringify({ retrieval: [en, multi], zeroshot: zs, calibration: checked.calibration, audit: probe }, null, 2),
);
// CompositeSpace.dispose releases the shared CLIP tower twice (reported); only that error is tolerated here.
await space.dispose().catch((e: Error) => {
  if (!/already disposed/.test(e.message)) throw e;
});
