/**
 * Cost of the ranking stage of a retrieval evaluation (similarities + both directions' ranks), at the scale
 * of the Flickr30k 1k test split (1,000 images × 5,000 captions) and COCO 5k (5,000 × 25,000), 512-d vectors.
 * Rosetta streams row blocks through an ONNX Runtime MatMul; the baseline, measured in the same run, is the
 * full matrix built in a scalar JS loop and ranked with the reference functions.
 *   npx tsx bench/eval-ranking.ts
 */
import { performance } from 'node:perf_hooks';
import { imageToTextRanks, streamedRanks, textToImageRanks } from '../src/eval/metrics/index.js';
import { forEachSimilarityRow, similarityMatrix } from '../src/vectors/index.js';
import { seededRandom } from '../src/util/random.js';

function unitVectors(n: number, dim: number, random: () => number): Float32Array[] {
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dim }, () => random() - 0.5);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

async function run(name: string, images: number, perImage: number, dim: number, baseline: boolean): Promise<void> {
  const random = seededRandom(42);
  const imageVecs = unitVectors(images, dim, random);
  const captionImage = Array.from({ length: images * perImage }, (_, c) => Math.floor(c / perImage));
  // Captions near their image, so ranks are realistic rather than uniform.
  const textVecs = captionImage.map((i) => {
    const noise = unitVectors(1, dim, random)[0];
    const v = imageVecs[i].map((x, d) => x + 1.2 * noise[d]);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
  let t = performance.now();
  const streamed = await streamedRanks((visit) => forEachSimilarityRow(textVecs, imageVecs, visit), captionImage, images);
  const ortSeconds = (performance.now() - t) / 1000;
  let line = `${name}: ${images} images × ${captionImage.length} captions, ${dim}-d — streamed ORT ${ortSeconds.toFixed(2)} s`;
  if (baseline) {
    t = performance.now();
    const sims = similarityMatrix(textVecs, imageVecs);
    const t2i = textToImageRanks(sims, captionImage);
    const i2t = imageToTextRanks(sims, captionImage, images);
    const jsSeconds = (performance.now() - t) / 1000;
    const same = t2i.every((r, k) => Math.abs(r - streamed.t2i[k]) <= 1) && i2t.every((r, k) => Math.abs(r - streamed.i2t[k]) <= 1);
    line +=
      `; baseline JS full matrix ${jsSeconds.toFixed(2)} s (${(jsSeconds / ortSeconds).toFixed(1)}× slower); ` +
      `ranks agree (±1 for float rounding): ${same}`;
  }
  const r1 = streamed.t2i.filter((r) => r === 1).length / streamed.t2i.length;
  console.log(`${line}; T→I R@1 of the synthetic data ${(r1 * 100).toFixed(1)}%`);
}

await run('Flickr30k-1k scale', 1000, 5, 512, true);
await run('COCO-5k scale', 5000, 5, 512, process.argv.includes('--baseline-coco'));
