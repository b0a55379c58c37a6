import type { Space } from '../spaces/space.js';
import type { RgbImage } from '../types.js';
import type { ClassDataset, DatasetIssue } from '../datasets/types.js';
import { loadClassDataset } from '../datasets/load-dataset.js';
import { classificationSummary, type ClassificationSummary } from './metrics/classification-metrics.js';
import { readImage } from '../media/image/read-image.js';
import { embedPictureBatches, requireTower } from './embed.js';
import { dot, meanNormalised } from '../vectors/vector-math.js';
import { clipScore, softmax } from '../vectors/scores.js';
import { invalidArgument, expectPositiveInt } from '../util/validate.js';
import type { EvalProgress } from './evaluate-retrieval.js';

export const DEFAULT_TEMPLATES: readonly string[] = ['a photo of a {}'];

export interface ZeroShotOptions {
  /** Prompt templates; `{}` is replaced by the class name. Several templates are averaged (prompt ensembling). */
  templates?: string[];
  batchSize?: number;
  onProgress?: (progress: EvalProgress) => void;
  /** How many confident mistakes to keep for the report (default 12). */
  worst?: number;
  loadImage?: (path: string) => Promise<RgbImage>;
}

export interface ZeroShotMistake {
  imagePath: string;
  trueClass: string;
  predictedClass: string;
  /** Softmax probability of the wrong prediction (logit scale of the space). */
  confidence: number;
  /** CLIPScore-style 2.5·max(cos,0) of the image with its predicted class prompt. */
  score: number;
}

export interface ZeroShotResult {
  space: { id: string; model: string; version: string };
  dataset: { source: string; classes: string[]; samples: number };
  templates: string[];
  protocol: string;
  summary: ClassificationSummary;
  /** Fraction whose true class is among the top min(5, classes) predictions. */
  topKAccuracy: { k: number; value: number };
  worst: ZeroShotMistake[];
  issues: DatasetIssue[];
  seconds: number;
}

/**
 * Zero-shot classification on a folder-per-class dataset: each class becomes the mean embedding of its prompts,
 * each image is assigned the class of highest cosine. Reports accuracy, per-class recall and the confusion matrix.
 */
export async function evaluateZeroShot(
  space: Space,
  dataset: string | ClassDataset,
  options: ZeroShotOptions = {},
): Promise<ZeroShotResult> {
  const started = performance.now();
  requireTower(space, 'image');
  const templates = options.templates ?? [...DEFAULT_TEMPLATES];
  if (templates.length === 0 || templates.some((t) => !t.includes('{}')))
    throw invalidArgument('templates', 'non-empty templates that each contain {}', templates);
  const batchSize = expectPositiveInt('batchSize', options.batchSize ?? 32, 4096);
  const data = typeof dataset === 'string' ? await loadClassDataset(dataset) : dataset;
  const issues = [...data.issues];
  const loadImage = options.loadImage ?? ((p: string) => readImage(p));

  const classVecs: Float32Array[] = [];
  for (const name of data.classes) classVecs.push(meanNormalised(await space.embedTexts(templates.map((t) => t.replaceAll('{}', name)))));

  const scale = space.logitScale ?? 100;
  const truth: number[] = [];
  const predicted: number[] = [];
  const mistakes: ZeroShotMistake[] = [];
  const k = Math.min(5, data.classes.length);
  let topK = 0;
  await embedPictureBatches(
    space,
    data.samples,
    (sample) => loadImage(sample.path),
    batchSize,
    issues,
    (decoded, vecs, done) => {
      vecs.forEach((v, j) => {
        const cos = classVecs.map((c) => dot(v, c));
        const order = cos.map((_, c) => c).sort((a, b) => cos[b] - cos[a]);
        const label = decoded[j].label;
        truth.push(label);
        predicted.push(order[0]);
        if (order.slice(0, k).includes(label)) topK += 1;
        if (order[0] !== label) {
          mistakes.push({
            imagePath: decoded[j].path,
            trueClass: data.classes[label],
            predictedClass: data.classes[order[0]],
            confidence: softmax(cos, scale)[order[0]],
            score: clipScore(cos[order[0]]),
          });
        }
      });
      options.onProgress?.({ stage: 'images', done, total: data.samples.length });
    },
  );
  mistakes.sort((a, b) => b.confidence - a.confidence);
  return {
    space: { id: space.id, model: space.model, version: space.version },
    dataset: { source: data.source, classes: data.classes, samples: truth.length },
    templates,
    protocol:
      `${truth.length} images in ${data.classes.length} classes; each class is the normalised mean of ${templates.length} prompt` +
      `${templates.length > 1 ? 's' : ''} (${templates.map((t) => `"${t}"`).join(', ')}); each image takes the class of highest cosine.`,
    summary: classificationSummary(truth, predicted, data.classes),
    topKAccuracy: { k, value: truth.length === 0 ? 0 : topK / truth.length },
    worst: mistakes.slice(0, options.worst ?? 12),
    issues,
    seconds: (performance.now() - started) / 1000,
  };
}
