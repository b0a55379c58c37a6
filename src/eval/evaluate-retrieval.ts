import type { Space } from '../spaces/space.js';
import type { RgbImage } from '../types.js';
import type { CaptionDataset, CaptionReadOptions, DatasetIssue } from '../datasets/types.js';
import { loadCaptionDataset } from '../datasets/load-dataset.js';
import { recallAtK, streamedRanks, summariseRanks, type RankSummary } from './metrics/retrieval-metrics.js';
import { clipScore } from '../vectors/scores.js';
import { readImage } from '../media/image/read-image.js';
import { embedPictureBatches, embedTextsChunked, requireTower } from './embed.js';
import { forEachSimilarityRow } from '../vectors/similarity.js';
import { expectPositiveInt } from '../util/validate.js';

export interface EvalProgress {
  stage: 'images' | 'texts' | 'ranking';
  done: number;
  total: number;
}

export interface RetrievalOptions extends CaptionReadOptions {
  /** Images decoded and embedded per batch; captions are embedded in batches of 4× this (default 32). */
  batchSize?: number;
  onProgress?: (progress: EvalProgress) => void;
  /** How many worst mismatches to keep for the report (default 12). */
  worst?: number;
  /** Image decoder (default: the media module's readImage: EXIF-rotated, transparency on white, ≤ 512 px). */
  loadImage?: (path: string) => Promise<RgbImage>;
}

/** A caption whose own image ranked badly: what the report's grid shows. */
export interface Mismatch {
  imageId: string;
  imagePath: string;
  text: string;
  /** Rank of the caption's own image (text→image). */
  rank: number;
  cosine: number;
  /** CLIPScore of the caption with its own image. */
  score: number;
  /** The image the space preferred instead. */
  retrievedPath?: string;
}

export interface RetrievalResult {
  space: { id: string; model: string; version: string };
  dataset: {
    source: string;
    format: string;
    split?: string;
    images: number;
    captions: number;
    captionsPerImage: { min: number; max: number; mean: number };
  };
  /** The protocol in words, for the report. */
  protocol: string;
  t2i: RankSummary;
  i2t: RankSummary;
  /** Recall at k = 1…10 in both directions (the report's chart). */
  recallCurve: { k: number; t2i: number; i2t: number }[];
  worst: Mismatch[];
  issues: DatasetIssue[];
  seconds: number;
}

/**
 * Text↔image retrieval on an image–caption dataset: every caption ranks every image and vice versa.
 * Reports Recall@1/5/10, median rank and MRR in both directions, with the protocol stated.
 * @example const r = await evaluateRetrieval(space, 'dataset_flickr30k.json', { split: 'test' });
 */
export async function evaluateRetrieval(
  space: Space,
  dataset: string | CaptionDataset,
  options: RetrievalOptions = {},
): Promise<RetrievalResult> {
  const started = performance.now();
  requireTower(space, 'image');
  const batchSize = expectPositiveInt('batchSize', options.batchSize ?? 32, 4096);
  const data = typeof dataset === 'string' ? await loadCaptionDataset(dataset, options) : dataset;
  const images =
    options.split && typeof dataset !== 'string'
      ? data.images.filter((i) => i.split === undefined || i.split === options.split)
      : data.images;
  const issues = [...data.issues];
  const loadImage = options.loadImage ?? ((p: string) => readImage(p));

  const kept: typeof images = [];
  const imageVecs: Float32Array[] = [];
  const load = (img: (typeof images)[number]) =>
    img.bytes ? readImage({ bytes: Buffer.from(img.bytes), name: img.path }) : loadImage(img.path);
  await embedPictureBatches(space, images, load, batchSize, issues, (batchKept, vectors, done) => {
    kept.push(...batchKept);
    imageVecs.push(...vectors);
    options.onProgress?.({ stage: 'images', done, total: images.length });
  });

  const texts: string[] = [];
  const captionImage: number[] = [];
  kept.forEach((img, k) =>
    img.captions.forEach((c) => {
      texts.push(c);
      captionImage.push(k);
    }),
  );
  const textVecs = await embedTextsChunked(space, texts, batchSize * 4, (done) =>
    options.onProgress?.({ stage: 'texts', done, total: texts.length }),
  );

  // Similarities stream in row blocks (ONNX Runtime MatMul); the first pass also keeps what the report needs.
  const ownCos = new Float32Array(texts.length);
  const topImage = new Int32Array(texts.length);
  let pass = 0;
  const { t2i: t2iRanks, i2t: i2tRanks } = await streamedRanks(
    async (visit) => {
      pass += 1;
      const first = pass === 1;
      await forEachSimilarityRow(textVecs, imageVecs, (c, row) => {
        if (first) {
          ownCos[c] = row[captionImage[c]];
          let top = 0;
          for (let j = 1; j < row.length; j += 1) if (row[j] > row[top]) top = j;
          topImage[c] = top;
        }
        visit(c, row);
      });
    },
    captionImage,
    kept.length,
  );
  options.onProgress?.({ stage: 'ranking', done: 1, total: 1 });

  const counts = kept.map((i) => i.captions.length);
  const per =
    counts.length === 0
      ? { min: 0, max: 0, mean: 0 }
      : { min: Math.min(...counts), max: Math.max(...counts), mean: texts.length / counts.length };
  const split = options.split;
  const perText = per.min === per.max ? `${per.min}` : `${per.min}–${per.max} (mean ${per.mean.toFixed(2)})`;
  const protocol =
    `${kept.length} images and ${texts.length} captions (${perText} per image)${split ? `, split '${split}'` : ', all splits'}. ` +
    `Text→image: each caption ranks all ${kept.length} images; the rank of its own image counts. ` +
    `Image→text: each image ranks all ${texts.length} captions; the best rank among its own captions counts. ` +
    'Similarity is the cosine of L2-normalised embeddings; ties are counted against the model.';

  const worstCount = options.worst ?? 12;
  const worst: Mismatch[] = t2iRanks
    .map((rank, c) => ({ rank, c }))
    .sort((a, b) => b.rank - a.rank || ownCos[a.c] - ownCos[b.c])
    .slice(0, worstCount)
    .map(({ rank, c }) => {
      const img = kept[captionImage[c]];
      const cosine = ownCos[c];
      return {
        imageId: img.id,
        imagePath: img.path,
        text: texts[c],
        rank,
        cosine,
        score: clipScore(cosine),
        retrievedPath: kept[topImage[c]]?.path,
      };
    });

  return {
    space: { id: space.id, model: space.model, version: space.version },
    dataset: { source: data.source, format: data.format, split, images: kept.length, captions: texts.length, captionsPerImage: per },
    protocol,
    t2i: summariseRanks(t2iRanks),
    i2t: summariseRanks(i2tRanks),
    recallCurve: Array.from({ length: 10 }, (_, j) => ({ k: j + 1, t2i: recallAtK(t2iRanks, j + 1), i2t: recallAtK(i2tRanks, j + 1) })),
    worst,
    issues,
    seconds: (performance.now() - started) / 1000,
  };
}
